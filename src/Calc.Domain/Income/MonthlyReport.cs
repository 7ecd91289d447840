using System.Runtime.InteropServices;
using Calc.Domain.Calendar;
using Calc.Domain.Deadlines;
using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Domain.Income;

/// <summary>The operation type of the monthly mining report: how the mined coins were received.</summary>
public enum MiningOperation
{
    /// <summary>Not stated by the client: decided by <see cref="MiningOperations.Of"/>.</summary>
    Unspecified = 0,

    /// <summary>Credited to the miner's own wallet (identifier: the wallet address).</summary>
    CreditedToWallet = 1,

    /// <summary>Kept on the pool's account (identifier: the pool).</summary>
    KeptOnPool = 2,
}

/// <summary>The rule that turns a receipt into a report line's operation type and identifier.</summary>
public static class MiningOperations
{
    /// <summary>
    /// The stated operation when there is one; otherwise a receipt naming a pool was kept on the pool, and one
    /// without a pool was credited to a wallet.
    /// </summary>
    public static MiningOperation Of(MiningOperation stated, string? pool) =>
        stated != MiningOperation.Unspecified ? stated
        : string.IsNullOrEmpty(pool) ? MiningOperation.CreditedToWallet
        : MiningOperation.KeptOnPool;

    /// <summary>
    /// The line's identifier: the pool for coins kept on a pool (the wallet address when no pool is named), the
    /// wallet address for coins credited to a wallet. Empty when the receipt names neither.
    /// </summary>
    public static string Identifier(MiningOperation operation, string? walletAddress, string? pool) => operation == MiningOperation.KeptOnPool
        ? (string.IsNullOrEmpty(pool) ? walletAddress ?? "" : pool)
        : walletAddress ?? "";

    public static bool IsDefined(MiningOperation operation) => operation is MiningOperation.Unspecified or MiningOperation.CreditedToWallet or MiningOperation.KeptOnPool;
}

/// <summary>
/// One line of the monthly mining report (the form in the FNS personal account, Government decree No 1466):
/// per (month of income date, asset, operation type, identifier) the coins, receipts, RUB income and the
/// transaction ids, with the report's due date. <see cref="TxIds"/> lists at most
/// <see cref="MonthlyReportBuilder.MaxTxIdsPerLine"/> ids in receipt order (and the call at most
/// <see cref="MonthlyReportBuilder.MaxTxIdsPerCall"/>); <see cref="TxIdCount"/> counts every receipt of the line
/// that carried one, and <see cref="TxIdsTruncated"/> says the list is shorter than that.
/// </summary>
public sealed record MonthlyReportLine(
    int Year, int Month, string Asset, MiningOperation Operation, string Identifier,
    decimal Amount, int ReceiptCount, decimal IncomeRub,
    IReadOnlyList<string> TxIds, int TxIdCount, bool TxIdsTruncated,
    DateOnly ReportStatutoryDate, DateOnly? ReportDueDate, CalcError? DueDateError);

/// <summary>
/// Accumulates recognised receipts into report lines (a stream adds as it goes and builds at the end). Per
/// receipt: one slot look-up (a caller may reuse the slot while the key does not change) and sums; a tx id is
/// kept by reference (the string the receipt already has) while the line's and the call's bounds allow.
/// Memory: one entry per line, at most <see cref="MaxLines"/> lines; receipts beyond that are left out of the
/// lines (still in the totals) and <see cref="Incomplete"/> is set.
/// </summary>
public sealed class MonthlyReportBuilder
{
    public const int MaxTxIdsPerLine = 1000;
    public const int MaxTxIdsPerCall = 200_000;
    public const int MaxLines = 100_000;

    private readonly Dictionary<LineKey, int> _slots = [];
    private readonly List<Line> _lines = [];
    private int _txIdsKept;

    /// <summary>True when receipts had to be left out of the lines because the call passed <see cref="MaxLines"/>.</summary>
    public bool Incomplete { get; private set; }

    /// <summary>The slot of a line, created empty when new; -1 once <see cref="MaxLines"/> lines exist and this one is new.</summary>
    public int Slot(int year, int month, string asset, MiningOperation operation, string identifier)
    {
        ArgumentNullException.ThrowIfNull(asset);
        ArgumentNullException.ThrowIfNull(identifier);
        var key = new LineKey(year, month, asset, operation, identifier);
        if (_slots.TryGetValue(key, out int slot))
        {
            return slot;
        }

        if (_lines.Count >= MaxLines)
        {
            Incomplete = true;
            return -1;
        }

        slot = _lines.Count;
        _slots.Add(key, slot);
        _lines.Add(new Line { Key = key });
        return slot;
    }

    /// <summary>Adds one recognised receipt to line <paramref name="slot"/> (from <see cref="Slot"/>; -1 is ignored).</summary>
    public void Add(int slot, decimal amount, decimal incomeRub, string? txId)
    {
        if (slot < 0)
        {
            return;
        }

        ref var line = ref CollectionsMarshal.AsSpan(_lines)[slot];
        line.Amount.Add(amount);
        line.Rub.Add(incomeRub);
        line.Count++;
        if (!string.IsNullOrEmpty(txId))
        {
            line.TxIdCount++;
            if ((line.TxIds?.Count ?? 0) < MaxTxIdsPerLine && _txIdsKept < MaxTxIdsPerCall)
            {
                (line.TxIds ??= []).Add(txId);
                _txIdsKept++;
            }
        }
    }

    /// <summary>Lines with at least one receipt, ordered by year, month, asset, operation, identifier.</summary>
    public IReadOnlyList<MonthlyReportLine> Build(ProductionCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var dues = new Dictionary<(int, int), (DateOnly, CalcResult<DateOnly>)>();
        var list = new List<MonthlyReportLine>(_lines.Count);
        foreach (var line in _lines.Where(l => l.Count > 0)
            .OrderBy(l => l.Key.Year).ThenBy(l => l.Key.Month).ThenBy(l => l.Key.Asset, StringComparer.Ordinal)
            .ThenBy(l => l.Key.Operation).ThenBy(l => l.Key.Identifier, StringComparer.Ordinal))
        {
            var k = line.Key;
            if (!dues.TryGetValue((k.Year, k.Month), out var due))
            {
                var statutory = DeadlineCalculator.MonthlyReportStatutoryDate(k.Year, k.Month);
                due = (statutory, calendar.NextWorkingDayOnOrAfter(statutory));
                dues[(k.Year, k.Month)] = due;
            }

            IReadOnlyList<string> txIds = line.TxIds is { } ids ? ids.ToArray() : [];
            list.Add(new MonthlyReportLine(k.Year, k.Month, k.Asset, k.Operation, k.Identifier, line.Amount.Value, line.Count, line.Rub.Value,
                txIds, line.TxIdCount, txIds.Count < line.TxIdCount, due.Item1, due.Item2.IsSuccess ? due.Item2.Value : null, due.Item2.Error));
        }

        return list;
    }

    /// <summary>Lines of the given receipts (tests, and the CLI's rebuild from an income file).</summary>
    public static IReadOnlyList<MonthlyReportLine> Aggregate(
        IEnumerable<(DateOnly IncomeDate, string Asset, MiningOperation Operation, string Identifier, decimal Amount, decimal IncomeRub, string? TxId)> receipts,
        ProductionCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        var builder = new MonthlyReportBuilder();
        foreach (var r in receipts)
        {
            builder.Add(builder.Slot(r.IncomeDate.Year, r.IncomeDate.Month, r.Asset, r.Operation, r.Identifier), r.Amount, r.IncomeRub, r.TxId);
        }

        return builder.Build(calendar);
    }

    private readonly record struct LineKey(int Year, int Month, string Asset, MiningOperation Operation, string Identifier);

    private struct Line
    {
        public LineKey Key;
        public RunningSum Amount;
        public RunningSum Rub;
        public int Count;
        public int TxIdCount;
        public List<string>? TxIds;
    }
}
