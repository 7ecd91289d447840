using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Imports;

/// <summary>A parsed file: the rows that are valid and a located reason for every one that is not.</summary>
public sealed record CsvParseResult<T>(IReadOnlyList<T> Rows, IReadOnlyList<ImportRowError> Errors);

/// <summary>
/// The offline import formats (see README, "Market data files"): <c>closes.csv</c> with the header
/// <c>venue,base,quote,date,close</c> and <c>cbr-rates.csv</c> with <c>date,char_code,nominal,value</c>.
/// UTF-8 (BOM allowed), comma-separated, no quoting, invariant decimals, ISO dates; spaces around a field are
/// ignored. Each row passes the same <see cref="ImportRules"/> as an import call; each bad row is reported with
/// its file, line and reason; nothing is guessed.
/// </summary>
public static class MarketDataCsv
{
    public const string ClosesHeader = "venue,base,quote,date,close";
    public const string CbrRatesHeader = "date,char_code,nominal,value";

    public static CsvParseResult<DailyClose> ParseCloses(TextReader reader, string fileName, ImportRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return Parse<DailyClose>(reader, fileName, ClosesHeader, 5, (f, loc) =>
            rules.Close(f[0], f[1], f[2], f[3], f[4], CloseFields.Api, out var close) is { } error
                ? (null, new ImportRowError(loc, error))
                : (close, null));
    }

    public static CsvParseResult<CbrRate> ParseCbrRates(TextReader reader, string fileName, ImportRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var fields = RateFields.Csv;
        return Parse<CbrRate>(reader, fileName, CbrRatesHeader, 4, (f, loc) =>
        {
            CbrRate? rate = null;
            var error = ImportRules.NominalText(f[2], fields.Nominal, out long nominal)
                ?? rules.Rate(f[1], f[0], nominal, f[3], fields, out rate);
            return error is null ? (rate, null) : (null, new ImportRowError(loc, error));
        });
    }

    private static CsvParseResult<T> Parse<T>(TextReader reader, string fileName, string header, int columns,
        Func<string[], string, (T?, ImportRowError?)> parseRow)
        where T : class
    {
        var rows = new List<T>();
        var errors = new List<ImportRowError>();
        string? first = reader.ReadLine();
        if (first is null || first.TrimStart('\uFEFF').TrimEnd('\r') != header)
        {
            errors.Add(new ImportRowError($"{fileName}:1", CalcError.Invalid("INVALID_HEADER", "header",
                $"expected the header '{header}', found '{first ?? "<empty file>"}'")));
            return new CsvParseResult<T>(rows, errors);
        }

        int lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            line = line.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            string location = $"{fileName}:{lineNo}";
            string[] fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != columns)
            {
                errors.Add(new ImportRowError(location, CalcError.Invalid("INVALID_ROW", "",
                    $"expected {columns} comma-separated fields, found {fields.Length}")));
                continue;
            }

            var (row, error) = parseRow(fields, location);
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                rows.Add(row!);
            }
        }

        return new CsvParseResult<T>(rows, errors);
    }
}
