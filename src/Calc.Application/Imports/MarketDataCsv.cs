using System.Globalization;
using Calc.Application.MarketData;
using Calc.Domain.Dates;
using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Quotes;

namespace Calc.Application.Imports;

/// <summary>A parsed file: the rows that are valid and a located reason for every one that is not.</summary>
public sealed record CsvParseResult<T>(IReadOnlyList<T> Rows, IReadOnlyList<ImportRowError> Errors);

/// <summary>
/// The offline import formats (see README, "Market data files"): <c>closes.csv</c> with the header
/// <c>venue,base,quote,date,close</c> and <c>cbr-rates.csv</c> with <c>date,char_code,nominal,value</c>.
/// UTF-8 (BOM allowed), comma-separated, no quoting, invariant decimals, ISO dates. Each bad row is reported
/// with its file, line and reason; nothing is guessed.
/// </summary>
public static class MarketDataCsv
{
    public const string ClosesHeader = "venue,base,quote,date,close";
    public const string CbrRatesHeader = "date,char_code,nominal,value";

    public static CsvParseResult<DailyClose> ParseCloses(TextReader reader, string fileName) =>
        Parse(reader, fileName, ClosesHeader, 5, (f, loc) =>
        {
            string venue = f[0].Trim();
            string baseCode = f[1].Trim();
            string quote = f[2].Trim();
            if (!IsVenue(venue))
            {
                return Fail<DailyClose>(loc, Reasons.UnknownVenue, "venue", $"venue '{venue}' must be lower-case letters and digits");
            }

            if (!IsCode(baseCode))
            {
                return Fail<DailyClose>(loc, Reasons.UnknownAsset, "base", $"asset '{baseCode}' must be 2-10 upper-case letters or digits");
            }

            if (!IsCode(quote))
            {
                return Fail<DailyClose>(loc, Reasons.InvalidCurrency, "quote", $"quote currency '{quote}' must be 2-10 upper-case letters or digits");
            }

            if (!IsoDate.TryParse(f[3], out var date))
            {
                return Fail<DailyClose>(loc, Reasons.InvalidDate, "date", $"date '{f[3]}' is not YYYY-MM-DD");
            }

            if (!DecimalText.TryParse(f[4], out var close) || close <= 0)
            {
                return Fail<DailyClose>(loc, Reasons.InvalidDecimal, "close", $"close '{f[4]}' is not a positive invariant decimal");
            }

            return (new DailyClose(venue, new AssetPair(baseCode, quote), date, close, IsFinal: true), null);
        });

    public static CsvParseResult<CbrRate> ParseCbrRates(TextReader reader, string fileName) =>
        Parse(reader, fileName, CbrRatesHeader, 4, (f, loc) =>
        {
            if (!IsoDate.TryParse(f[0], out var date))
            {
                return Fail<CbrRate>(loc, Reasons.InvalidDate, "date", $"date '{f[0]}' is not YYYY-MM-DD");
            }

            string code = f[1].Trim();
            if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
            {
                return Fail<CbrRate>(loc, Reasons.InvalidCurrency, "char_code", $"currency '{code}' is not a 3-letter ISO code");
            }

            if (!int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int nominal) || nominal <= 0)
            {
                return Fail<CbrRate>(loc, Reasons.InvalidAmount, "nominal", $"nominal '{f[2]}' is not a positive integer");
            }

            if (!DecimalText.TryParse(f[3], out var value) || value <= 0)
            {
                return Fail<CbrRate>(loc, Reasons.InvalidDecimal, "value", $"value '{f[3]}' is not a positive invariant decimal");
            }

            return (new CbrRate(code, date, nominal, value), null);
        });

    private static bool IsVenue(string s) =>
        s.Length is > 0 and <= 32 && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static bool IsCode(string s) =>
        s.Length is >= 2 and <= 10 && s.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    private static (T?, ImportRowError?) Fail<T>(string location, string reason, string field, string message) =>
        (default, new ImportRowError(location, CalcError.Invalid(reason, field, message)));

    private static CsvParseResult<T> Parse<T>(TextReader reader, string fileName, string header, int columns,
        Func<string[], string, (T?, ImportRowError?)> parseRow)
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
            string[] fields = line.Split(',');
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
