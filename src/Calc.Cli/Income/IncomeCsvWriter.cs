using System.Globalization;
using System.Text;
using Calc.Cli.Csv;
using Calc.Cli.Output;
using Calc.V1;

namespace Calc.Cli.Income;

/// <summary>
/// income.csv: one row per source row, in file order, written as results arrive. Failed rows carry the
/// error code, reason and message; a run that stops early ends with a marker row (status
/// <c>interrupted</c> or <c>aborted</c>).
/// </summary>
internal sealed class IncomeCsvWriter : IDisposable
{
    public static readonly Column[] Columns =
    [
        new("receipt_id"), new("status"), new("income_date", ColumnKind.Date), new("asset"), new("amount", ColumnKind.Number),
        new("income_rub", ColumnKind.Number), new("venue"), new("pair"), new("close", ColumnKind.Number), new("close_date", ColumnKind.Date),
        new("cbr_rate", ColumnKind.Number), new("cbr_nominal", ColumnKind.Number), new("cbr_effective_date", ColumnKind.Date),
        new("error_code"), new("error_reason"), new("error_message"), new("source_line", ColumnKind.Number),
        // the monthly report's fields (calc income report rebuilds the report from them): operation type as decided
        // (stated, else pool named = kept on the pool), the line's identifier, and the receipt's own values
        new("operation_type"), new("identifier"), new("wallet_address"), new("pool"), new("tx_id"),
    ];

    private readonly StreamWriter _writer;
    private readonly CsvDialect _dialect;
    private readonly string[] _row = new string[Columns.Length];

    public IncomeCsvWriter(Stream stream, CsvDialect dialect)
    {
        _dialect = dialect;
        _writer = new StreamWriter(stream, new UTF8Encoding(dialect.Bom), 64 * 1024);
        CsvText.WriteRow(_writer, Columns.Select(c => c.Name).ToArray(), dialect.Delimiter);
    }

    public void WriteIncome(SourceRow row, RecognizedIncome income, Provenance? p)
    {
        var r = row.Receipt;
        var operation = Domain.Income.MiningOperations.Of((Domain.Income.MiningOperation)(int)(r?.OperationType ?? 0), r?.Pool);
        Write(row.Id, "ok", income.IncomeDate, income.Asset, income.Amount, income.IncomeRub, p?.Venue ?? "", p?.Pair ?? "", p?.Close ?? "",
            p?.CloseDate ?? "", p?.CbrRate ?? "", p is null || p.CbrNominal == 0 ? "" : Int(p.CbrNominal), p?.CbrEffectiveDate ?? "", "", "", "", Int(row.Line),
            MonthlyReport.OperationText(operation), Domain.Income.MiningOperations.Identifier(operation, r?.WalletAddress, r?.Pool),
            r?.WalletAddress ?? "", r?.Pool ?? "", r?.TxId ?? "");
    }

    public void WriteError(SourceRow row, ItemError error) =>
        Write(row.Id, "error", "", row.Asset, row.Amount, "", "", "", "", "", "", "", "", error.Code, error.Reason, error.Message, Int(row.Line),
            "", "", row.Receipt?.WalletAddress ?? "", row.Receipt?.Pool ?? "", row.Receipt?.TxId ?? "");

    /// <summary>The last row of a run that did not finish: status, and what was not processed.</summary>
    public void WriteMarker(string status, string reason, string message, long nextLine) =>
        Write("", status, "", "", "", "", "", "", "", "", "", "", "", "", reason, message, nextLine > 0 ? Int(nextLine) : "", "", "", "", "", "");

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private void Write(params string[] values)
    {
        for (int i = 0; i < _row.Length; i++)
        {
            _row[i] = _dialect.Value(values[i], Columns[i].Kind);
        }

        CsvText.WriteRow(_writer, _row, _dialect.Delimiter);
    }
}
