using Calc.Domain.Calendar;
using Calc.Domain.Deadlines;
using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Domain.Income;

/// <summary>
/// The monthly mining report's figures for one (month of income date, asset): coins, RUB value and receipt
/// count, with the report's statutory date (20th of the next month) and the due date after the
/// non-working-day shift; <see cref="ReportDueDate"/> is null with <see cref="DueDateError"/> set when the
/// production calendar does not cover that date.
/// </summary>
public sealed record MonthlyTotal(
    int Year, int Month, string Asset, decimal Amount, decimal IncomeRub, int ReceiptCount,
    DateOnly ReportStatutoryDate, DateOnly? ReportDueDate, CalcError? DueDateError);

/// <summary>
/// Accumulates recognised incomes into monthly totals (for a stream: add as results arrive, build at the end).
/// A builder owned by one computation, not shared state. Memory is one entry per (month, asset).
/// </summary>
public sealed class MonthlyTotalsBuilder
{
    // one accumulator per (month, asset); each receives its receipts' amounts in the order they are added
    private readonly Dictionary<(int Year, int Month, string Asset), int> _slots = [];
    private readonly List<Accumulator> _totals = [];

    public void Add(in RecognizedIncome income) =>
        Add(Slot(income.IncomeDate.Year, income.IncomeDate.Month, income.Asset), income.Amount, income.IncomeRub);

    /// <summary>
    /// The accumulator of (<paramref name="year"/>, <paramref name="month"/>, <paramref name="asset"/>), created
    /// empty when new: a batch looks it up once per (asset, day) and adds each receipt with <see cref="Add(int, decimal, decimal)"/>.
    /// </summary>
    public int Slot(int year, int month, string asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        var key = (year, month, asset);
        if (!_slots.TryGetValue(key, out int slot))
        {
            slot = _totals.Count;
            _slots[key] = slot;
            _totals.Add(new Accumulator { Key = key });
        }

        return slot;
    }

    /// <summary>Adds one receipt's coins and RUB value to the accumulator <paramref name="slot"/> (from <see cref="Slot"/>).</summary>
    public void Add(int slot, decimal amount, decimal incomeRub)
    {
        ref var t = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_totals)[slot];
        t.Amount.Add(amount);
        t.Rub.Add(incomeRub);
        t.Count++;
    }

    /// <summary>Totals ordered by year, month, asset.</summary>
    public IReadOnlyList<MonthlyTotal> Build(ProductionCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var list = new List<MonthlyTotal>(_totals.Count);
        foreach (var ((year, month, asset), amount, rub, count) in _totals.Select(t => (t.Key, t.Amount.Value, t.Rub.Value, t.Count)).OrderBy(t => t.Key.Year).ThenBy(t => t.Key.Month).ThenBy(t => t.Key.Asset, StringComparer.Ordinal))
        {
            var statutory = DeadlineCalculator.MonthlyReportStatutoryDate(year, month);
            var due = calendar.NextWorkingDayOnOrAfter(statutory);
            list.Add(new MonthlyTotal(year, month, asset, amount, rub, count, statutory,
                due.IsSuccess ? due.Value : null, due.Error));
        }

        return list;
    }

    /// <summary>The running figures of one (month, asset), each sum extended in the order receipts arrive.</summary>
    private struct Accumulator
    {
        public (int Year, int Month, string Asset) Key;
        public RunningSum Amount;
        public RunningSum Rub;
        public int Count;
    }

    public static IReadOnlyList<MonthlyTotal> Aggregate(IEnumerable<RecognizedIncome> incomes, ProductionCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(incomes);
        var builder = new MonthlyTotalsBuilder();
        foreach (var income in incomes)
        {
            builder.Add(income);
        }

        return builder.Build(calendar);
    }
}
