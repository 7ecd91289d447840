using System.Globalization;
using System.Text;
using Calc.Cli.Csv;
using Calc.Cli.Output;
using Calc.Domain.Dates;
using Calc.Domain.Money;
using Calc.Domain.Rules;
using Calc.V1;
using DomainIncome = Calc.Domain.Income;

namespace Calc.Cli.Income;

/// <summary>
/// The monthly mining report CSV (year, month, asset, amount, income_rub, receipt_count,
/// report_due_date), and reading it back for <c>calc ndfl/profit-tax --income-report</c>; the detail file
/// (one row per report line: month, asset, operation type, wallet address or pool, coins, receipts, RUB,
/// transaction ids), and both rebuilt from an income.csv without the server (<c>calc income report</c>).
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

    public static readonly Column[] DetailColumns =
    [
        new("year", ColumnKind.Number), new("month", ColumnKind.Number), new("asset"), new("operation_type"), new("identifier"),
        new("amount", ColumnKind.Number), new("receipt_count", ColumnKind.Number), new("income_rub", ColumnKind.Number),
        new("tx_id_count", ColumnKind.Number), new("tx_ids_truncated"), new("tx_ids"), new("report_due_date", ColumnKind.Date),
    ];

    /// <summary>The detail rows: tx ids space-separated (at most 1,000 a line; every tx id is in income.csv, column tx_id).</summary>
    public static ResultTable DetailTable(IEnumerable<MonthlyReportLine> lines) => new("Monthly mining report lines", DetailColumns,
        lines.Select(l => (IReadOnlyList<string>)[Int(l.Year), Int(l.Month), l.Asset, OperationText((DomainIncome.MiningOperation)(int)l.OperationType),
            l.Identifier, l.Amount, Int(l.ReceiptCount), l.IncomeRub, Int(l.TxIdCount), l.TxIdsTruncated ? "true" : "false", string.Join(' ', l.TxIds),
            l.ReportDueDate.Length > 0 ? l.ReportDueDate : l.ReportDueDateError?.Reason ?? ""]).ToArray());

    public static void WriteDetail(string path, IEnumerable<MonthlyReportLine> lines, CsvDialect dialect)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(dialect.Bom));
        ViewRenderer.WriteCsv(DetailTable(lines), dialect, writer);
    }

    /// <summary>The operation type as the CSV files spell it.</summary>
    public static string OperationText(DomainIncome.MiningOperation operation) => operation switch
    {
        DomainIncome.MiningOperation.CreditedToWallet => "credited_to_wallet",
        DomainIncome.MiningOperation.KeptOnPool => "kept_on_pool",
        _ => "",
    };

    /// <summary>A receipts file's operation_type cell: empty (the rule decides), wallet or pool in English or Russian.</summary>
    public static bool TryParseOperation(string text, out MiningOperationType operation)
    {
        operation = text.Trim().ToLowerInvariant().Replace('ё', 'е') switch
        {
            "" => MiningOperationType.Unspecified,
            "wallet" or "credited_to_wallet" or "кошелек" or "зачисление на кошелек" => MiningOperationType.CreditedToWallet,
            "pool" or "kept_on_pool" or "пул" or "хранение на пуле" => MiningOperationType.KeptOnPool,
            _ => (MiningOperationType)(-1),
        };
        return (int)operation >= 0;
    }

    /// <summary>
    /// The totals and the report lines of an income.csv written by <c>calc income recognize</c>, computed here
    /// (no server) with the rules the server uses: sums per month and asset, lines per month, asset, operation type
    /// and identifier, due dates from the embedded production calendar. A file whose run did not finish is refused.
    /// </summary>
    public static (IReadOnlyList<MonthlyTotal> Totals, IReadOnlyList<MonthlyReportLine> Lines) Rebuild(FileInfo income, RuleSet rules)
    {
        using var csv = CsvFile.Open(income.FullName, CsvReadOptions.Auto);
        var fields = new List<string>();
        if (!csv.TryRead(fields, out _, out _))
        {
            throw new CliException($"{income.Name}: empty file");
        }

        var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        string[] needed = ["status", "income_date", "asset", "amount", "income_rub", "operation_type", "identifier", "tx_id"];
        var missing = needed.Where(n => !header.Contains(n)).ToArray();
        if (missing.Length > 0)
        {
            throw new CliException($"{income.Name}:1: not an income file of calc income recognize (missing column(s) {string.Join(", ", missing)})");
        }

        int At(string name) => header.IndexOf(name);
        int status = At("status"), date = At("income_date"), asset = At("asset"), amount = At("amount"), rub = At("income_rub"),
            operation = At("operation_type"), identifier = At("identifier"), tx = At("tx_id");
        var totals = new DomainIncome.MonthlyTotalsBuilder();
        var lines = new DomainIncome.MonthlyReportBuilder();
        while (csv.TryRead(fields, out long line, out string? error))
        {
            if (error is not null || fields.Count < header.Count)
            {
                throw new CliException($"{income.Name}:{line}: {error ?? $"the row has {fields.Count} fields, the header {header.Count}"}");
            }

            string state = fields[status].Trim();
            if (state is "interrupted" or "aborted")
            {
                throw new CliException($"{income.Name}:{line}: the run stopped here ({state}); a report from this file would be incomplete. Re-run calc income recognize");
            }

            if (state != "ok")
            {
                continue;
            }

            if (!TryDate(fields[date], out var day) || !TryNumber(fields[amount], out var coins) || !TryNumber(fields[rub], out var value)
                || ParseDecided(fields[operation]) is not { } op)
            {
                throw new CliException($"{income.Name}:{line}: not a result row of calc income recognize ({string.Join(csv.Delimiter, fields)})");
            }

            string code = fields[asset].Trim();
            totals.Add(totals.Slot(day.Year, day.Month, code), coins, value);
            string txId = fields[tx].Trim();
            lines.Add(lines.Slot(day.Year, day.Month, code, op, fields[identifier].Trim()), coins, value, txId.Length > 0 ? txId : null);
        }

        var totalMessages = totals.Build(rules.Calendar).Select(t => new MonthlyTotal
        {
            Year = t.Year, Month = t.Month, Asset = t.Asset, Amount = DecimalText.Format(t.Amount), IncomeRub = DecimalText.Format(t.IncomeRub),
            ReceiptCount = t.ReceiptCount, ReportDueDate = t.ReportDueDate is { } due ? IsoDate.ToText(due) : "",
            ReportDueDateError = t.DueDateError is { } e ? new ItemError { Code = e.Code.ToString(), Reason = e.Reason, Message = e.Message, Field = e.Field } : null,
        }).ToArray();
        var lineMessages = lines.Build(rules.Calendar).Select(l =>
        {
            var m = new MonthlyReportLine
            {
                Year = l.Year, Month = l.Month, Asset = l.Asset, OperationType = (MiningOperationType)(int)l.Operation, Identifier = l.Identifier,
                Amount = DecimalText.Format(l.Amount), ReceiptCount = l.ReceiptCount, IncomeRub = DecimalText.Format(l.IncomeRub),
                TxIdCount = l.TxIdCount, TxIdsTruncated = l.TxIdsTruncated, ReportDueDate = l.ReportDueDate is { } due ? IsoDate.ToText(due) : "",
                ReportDueDateError = l.DueDateError is { } e ? new ItemError { Code = e.Code.ToString(), Reason = e.Reason, Message = e.Message, Field = e.Field } : null,
            };
            m.TxIds.AddRange(l.TxIds);
            return m;
        }).ToArray();
        return (totalMessages, lineMessages);
    }

    private static DomainIncome.MiningOperation? ParseDecided(string text) => text.Trim() switch
    {
        "credited_to_wallet" => DomainIncome.MiningOperation.CreditedToWallet,
        "kept_on_pool" => DomainIncome.MiningOperation.KeptOnPool,
        _ => null,
    };

    private static bool TryNumber(string text, out decimal value)
    {
        value = 0m;
        return Input.TryNormalizeDecimal(text, out var normal) && DecimalText.TryParse(normal, out value);
    }

    private static bool TryDate(string text, out DateOnly date) =>
        IsoDate.TryParse(text.Trim(), out date)
        || DateOnly.TryParseExact(text.Trim(), "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
