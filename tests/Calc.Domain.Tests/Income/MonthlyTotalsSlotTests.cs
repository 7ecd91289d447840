using Calc.Domain.Income;
using Calc.Domain.Quotes;
using Calc.Domain.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Domain.Tests.Income;

/// <summary>
/// Adding through <see cref="MonthlyTotalsBuilder.Slot"/> must give the totals of adding each income in order:
/// decimal sums of 28-digit amounts round, so the order of additions per (month, asset) is part of the answer.
/// </summary>
public class MonthlyTotalsSlotTests
{
    private static readonly DailyClose Close = new("coinbase", new AssetPair("BTC", "RUB"), new DateOnly(2025, 1, 1), 1m, true);

    [Fact]
    public void Add_BySlotOrByIncome_SameTotalsAsSequentialSums()
    {
        var amounts = Gen.OneOf(
            from units in Gen.Choose(1, 1_000_000) from scale in Gen.Choose(0, 28) select new decimal(units, 0, 0, false, (byte)scale),
            from lo in Gen.Choose(int.MinValue, int.MaxValue) from mid in Gen.Choose(0, int.MaxValue) from scale in Gen.Choose(18, 28)
            select new decimal(lo, mid, 1, false, (byte)scale));
        var incomes = from month in Gen.Choose(1, 4)
                      from asset in Gen.Elements("BTC", "ETH", "LTC")
                      from amount in amounts
                      from kopecks in Gen.Choose(0, int.MaxValue)
                      select new RecognizedIncome("id", new DateOnly(2025, month, 10), asset, amount, kopecks / 100m, Close, null, ConversionMethod.None, true);

        Prop.ForAll(Gen.ListOf(incomes).ToArbitrary(), list =>
        {
            // reference: one running sum per (year, month, asset), in input order
            var sums = new Dictionary<(int, int, string), (decimal Amount, decimal Rub, int Count)>();
            foreach (var i in list)
            {
                var key = (i.IncomeDate.Year, i.IncomeDate.Month, i.Asset);
                sums.TryGetValue(key, out var s);
                sums[key] = (s.Amount + i.Amount, s.Rub + i.IncomeRub, s.Count + 1);
            }

            var bySlot = new MonthlyTotalsBuilder();
            var byIncome = new MonthlyTotalsBuilder();
            foreach (var i in list)
            {
                bySlot.Add(bySlot.Slot(i.IncomeDate.Year, i.IncomeDate.Month, i.Asset), i.Amount, i.IncomeRub);
                byIncome.Add(i);
            }

            var a = bySlot.Build(TestRules.Embedded.Calendar);
            var b = byIncome.Build(TestRules.Embedded.Calendar);
            var expected = sums.OrderBy(s => s.Key.Item1).ThenBy(s => s.Key.Item2).ThenBy(s => s.Key.Item3, StringComparer.Ordinal).ToList();
            return a.SequenceEqual(b) && a.Count == expected.Count
                && a.Zip(expected).All(p => (p.First.Year, p.First.Month, p.First.Asset) == p.Second.Key
                    && decimal.GetBits(p.First.Amount).SequenceEqual(decimal.GetBits(p.Second.Value.Amount))
                    && p.First.IncomeRub == p.Second.Value.Rub && p.First.ReceiptCount == p.Second.Value.Count);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }
}
