using System.Globalization;
using System.Text;
using Calc.Cli.Csv;
using Calc.Cli.Output;
using Calc.Domain.Money;
using Calc.V1;

namespace Calc.Cli.Income;

/// <summary>
/// The monthly mining report CSV (year, month, asset, amount, income_rub, receipt_count,
/// report_due_date), and reading it back for <c>calc ndfl/profit-tax --income-report</c>.
/// </summary>
internal static class MonthlyReport
{
    public static readonly Column[] Columns =
    [
        new("year", ColumnKind.Number), new("month", ColumnKind.Number), new("asset"), new("amount", ColumnKind.Number),
        new("income_rub", ColumnKind.Number), new("receipt_count", ColumnKind.Number), new("report_due_date", ColumnKind.Date),
    ];

    public static ResultTable Table(IEnumerable<MonthlyTotal> totals) => new("Monthly mining report", Columns,
        totals.Select(t => (IReadOnlyList<string>)[Int(t.Year), Int(t.Month), t.Asset, t.Amount, t.IncomeRub, Int(t.ReceiptCount),
            t.ReportDueDate.Length > 0 ? t.ReportDueDate : t.ReportDueDateError?.Reason ?? ""]).ToArray());

    public static void Write(string path, IEnumerable<MonthlyTotal> totals, CsvDialect dialect)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(dialect.Bom));
        ViewRenderer.WriteCsv(Table(totals), dialect, writer);
    }

    /// <summary>
    /// Sum of income_rub over the report's rows of <paramref name="year"/> up to <paramref name="lastMonth"/>; a report
    /// without any such row is a usage error naming the years and months it does hold (never a silent 0).
    /// </summary>
    public static string SumIncome(FileInfo file, int year, int lastMonth = 12)
    {
        using var csv = CsvFile.Open(file.FullName, CsvReadOptions.Auto);
        var fields = new List<string>();
        if (!csv.TryRead(fields, out _, out _))
        {
            throw new CliException($"{file.Name}: empty file");
        }

        var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        int yearAt = header.IndexOf("year"), monthAt = header.IndexOf("month"), incomeAt = header.IndexOf("income_rub");
        if (yearAt < 0 || monthAt < 0 || incomeAt < 0)
        {
            throw new CliException($"{file.Name}:1: a monthly report needs the columns year, month, income_rub");
        }

        decimal sum = 0m;
        int matched = 0;
        var found = new SortedDictionary<int, SortedSet<int>>();
        while (csv.TryRead(fields, out long line, out string? error))
        {
            if (error is not null || fields.Count <= Math.Max(yearAt, Math.Max(monthAt, incomeAt))
                || !int.TryParse(fields[yearAt], CultureInfo.InvariantCulture, out int y) || !int.TryParse(fields[monthAt], CultureInfo.InvariantCulture, out int m)
                || !Input.TryNormalizeDecimal(fields[incomeAt], out var income) || !DecimalText.TryParse(income, out var value))
            {
                throw new CliException($"{file.Name}:{line}: not a monthly report row ({error ?? string.Join(csv.Delimiter, fields)})");
            }

            if (!found.TryGetValue(y, out var months))
            {
                found[y] = months = [];
            }

            months.Add(m);
            if (y == year && m <= lastMonth)
            {
                sum += value;
                matched++;
            }
        }

        if (matched == 0)
        {
            // no row is not a zero income: the wrong report (or year) was given, and a plausible tax 0 would hide it
            string wanted = lastMonth == 12 ? $"{year}" : $"{year} months 1-{lastMonth}";
            string held = found.Count == 0
                ? "it has no rows"
                : "it has rows for " + string.Join(", ", found.Select(f => $"{f.Key} (months {string.Join(",", f.Value)})"));
            throw new CliException($"{file.Name}: no row of the monthly report is for {wanted}; {held}. "
                + "Give the report of that period, another --year, or the income with --mining-income");
        }

        return DecimalText.Format(sum);
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
