using System.Globalization;
using Calc.Domain.Errors;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Cli.Income;

/// <summary>A row of the receipts file: a receipt to send, or why it cannot be sent.</summary>
internal sealed record SourceRow(long Line, string Id, string Asset, string Amount, MiningReceipt? Receipt, ItemError? Error, long BytesRead);

/// <summary>
/// Turns CSV records into <see cref="MiningReceipt"/>s: decimal comma → invariant decimal, received_at as
/// ISO 8601 with an offset (or Z), or local <c>dd.MM.yyyy HH:mm[:ss]</c> / <c>yyyy-MM-dd HH:mm[:ss]</c>
/// in <c>--zone</c>. A row that cannot be read becomes an error with its line number, never dropped.
/// </summary>
internal sealed class ReceiptParser(ReceiptColumns columns, TimeZoneInfo zone)
{
    public const string CsvFormat = "CSV_FORMAT";

    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mmzzz",
    ];

    private static readonly string[] UtcFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm'Z'",
    ];

    private static readonly string[] LocalFormats =
    [
        "dd.MM.yyyy H:mm:ss", "dd.MM.yyyy H:mm", "d.M.yyyy H:mm:ss", "d.M.yyyy H:mm", "dd.MM.yyyy",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm",
    ];

    public SourceRow Parse(List<string> fields, long line, string? csvError, long bytesRead)
    {
        string Field(int index) => index >= 0 && index < fields.Count ? fields[index].Trim() : "";

        string id = Field(columns.Id);
        if (id.Length == 0)
        {
            id = "line-" + line.ToString(CultureInfo.InvariantCulture);
        }

        string asset = Field(columns.Asset).ToUpperInvariant();
        string rawAmount = Field(columns.Amount);
        SourceRow Fail(string reason, string field, string message) =>
            new(line, id, asset, rawAmount, null, new ItemError { Code = "INVALID_ARGUMENT", Reason = reason, Field = field, Message = message }, bytesRead);

        if (csvError is not null)
        {
            return Fail(CsvFormat, "", csvError);
        }

        if (fields.Count > HeaderWidth && fields.Skip(HeaderWidth).Any(f => f.Trim().Length > 0))
        {
            return Fail(CsvFormat, "", $"the row has {fields.Count} fields but the header has {HeaderWidth} (a delimiter inside an unquoted value?)");
        }

        foreach (var (name, index) in new[] { ("received_at", columns.ReceivedAt), ("asset", columns.Asset), ("amount", columns.Amount) })
        {
            if (Field(index).Length == 0)
            {
                return Fail(Reasons.MissingField, name, $"{name} is empty");
            }
        }

        if (!Input.TryNormalizeDecimal(rawAmount, out var amount))
        {
            return Fail(Reasons.InvalidDecimal, "amount", $"amount '{rawAmount}' is not a decimal number");
        }

        string rawTime = Field(columns.ReceivedAt);
        if (!TryParseInstant(rawTime, zone, out var instant, out var problem))
        {
            return Fail(Reasons.InvalidTimestamp, "received_at", problem);
        }

        string rawOperation = Field(columns.Operation);
        if (!MonthlyReport.TryParseOperation(rawOperation, out var operation))
        {
            return Fail(Reasons.InvalidEnum, "operation_type",
                $"operation_type '{rawOperation}' is not wallet (credited_to_wallet, кошелек) or pool (kept_on_pool, пул); empty: pool named = kept on the pool");
        }

        var receipt = new MiningReceipt
        {
            OperationType = operation,
            Id = id,
            ReceivedAt = Timestamp.FromDateTimeOffset(instant),
            Asset = asset,
            Amount = amount,
            WalletAddress = Field(columns.Wallet),
            TxId = Field(columns.TxId),
            Pool = Field(columns.Pool),
        };
        return new SourceRow(line, id, asset, amount, receipt, null, bytesRead);
    }

    /// <summary>Number of header fields; set by the reader.</summary>
    public int HeaderWidth { get; init; } = int.MaxValue;

    internal static bool TryParseInstant(string text, TimeZoneInfo zone, out DateTimeOffset instant, out string problem)
    {
        problem = "";
        var invariant = CultureInfo.InvariantCulture;
        if (DateTimeOffset.TryParseExact(text, OffsetFormats, invariant, DateTimeStyles.None, out instant)
            || DateTimeOffset.TryParseExact(text, UtcFormats, invariant, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant))
        {
            return true;
        }

        if (DateTime.TryParseExact(text, LocalFormats, invariant, DateTimeStyles.None, out var local))
        {
            if (zone.IsInvalidTime(local))
            {
                problem = $"received_at '{text}' does not exist in {zone.Id} (clock change)";
                return false;
            }

            var offset = zone.GetUtcOffset(local);
            instant = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
            return true;
        }

        problem = $"received_at '{text}' is not a date and time (ISO 8601 with offset, e.g. 2025-03-15T10:00:00+03:00, or dd.MM.yyyy HH:mm:ss local to --zone)";
        return false;
    }
}
