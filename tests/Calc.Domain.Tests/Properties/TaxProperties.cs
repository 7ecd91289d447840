using Calc.Domain.Money;
using Calc.Domain.Rules;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;
using Calc.Domain.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Domain.Tests.Properties;

/// <summary>Properties of the tax computations, checked with FsCheck inside facts (no FsCheck.Xunit).</summary>
public class TaxProperties
{
    private static readonly decimal[] Thresholds = [0m, 2_400_000m, 5_000_000m, 20_000_000m, 50_000_000m];

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(2000);

    /// <summary>Amounts in kopecks from 0 to ~100 bn RUB, half of them within ±1 000 RUB of a bracket threshold.</summary>
    private static Gen<decimal> Amounts()
    {
        var anywhere = from rub in Gen.Choose(0, int.MaxValue) from scale in Gen.Choose(0, 2) from kop in Gen.Choose(0, 99)
                       select (rub * (scale == 0 ? 1m : scale == 1 ? 0.001m : 10m)) + (kop / 100m);
        var nearThreshold = from i in Gen.Choose(0, Thresholds.Length - 1) from offset in Gen.Choose(-100_000, 100_000)
                            select Math.Max(0m, Thresholds[i] + (offset / 100m));
        return Gen.OneOf(anywhere, nearThreshold);
    }

    private static TaxScale MainScale => TestRules.Embedded.NdflMainScale.At(new DateOnly(2025, 1, 1)).Value;

    [Fact]
    public void NdflMainTax_IsMonotoneInTheBase()
    {
        var scale = MainScale;
        var pairs = from a in Amounts() from b in Amounts() select (Lo: Math.Min(a, b), Hi: Math.Max(a, b));
        Prop.ForAll(pairs.ToArbitrary(), p =>
            scale.TaxOn(p.Lo) <= scale.TaxOn(p.Hi)
            && Rounding.TaxRub(scale.TaxOn(p.Lo)) <= Rounding.TaxRub(scale.TaxOn(p.Hi))).Check(Config);
    }

    [Fact]
    public void NdflMainTax_IsContinuousAtEveryThreshold()
    {
        // a step of one kopeck changes the exact tax by at most 22 % of a kopeck, also across thresholds
        var scale = MainScale;
        var near = from i in Gen.Choose(0, Thresholds.Length - 1) from offset in Gen.Choose(-1000, 1000)
                   select Math.Max(0m, Thresholds[i] + (offset / 100m));
        Prop.ForAll(near.ToArbitrary(), b =>
        {
            decimal step = scale.TaxOn(b + 0.01m) - scale.TaxOn(b);
            return step >= 0m && step <= 0.0022m;
        }).Check(Config);

        foreach (var t in Thresholds.Skip(1))
        {
            var below = scale.Brackets.Last(x => x.From < t);
            Assert.Equal(below.FixedSum + ((t - below.From) * below.Rate), scale.TaxOn(t));
            Assert.Equal(scale.Brackets.Single(x => x.From == t).FixedSum, scale.TaxOn(t));
        }
    }

    [Fact]
    public void NdflResult_IsNeverNegative_AndBracketsSumToTheExactTax()
    {
        var inputs = from mining in Amounts() from expenses in Amounts() from other in Amounts() from invest in Amounts()
                     from resident in Gen.Elements(Residency.Resident, Residency.NonResident)
                     select new NdflInput(2025, resident, mining, expenses, other, 0m, invest);
        Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            var r = NdflCalculator.Compute(input, TestRules.Embedded).Value;
            return r.MainTaxRub >= 0m && r.InvestmentTaxRub >= 0m && r.TaxDueRub >= 0m && r.MainBaseRub >= 0m
                && r.MainTaxRub == decimal.Truncate(r.MainTaxRub)
                && r.Brackets.Sum(b => b.Tax) == r.MainTaxExactRub
                && r.Brackets.Sum(b => b.Base) == r.MainBaseRub
                && Math.Abs(r.MainTaxRub - r.MainTaxExactRub) <= 0.5m;
        }).Check(Config.WithMaxTest(500));
    }

    [Fact]
    public void ProfitTax_PartsAddUp_AndAreNeverNegative()
    {
        var inputs = from income in Amounts() from expenses in Amounts() from year in Gen.Choose(2025, 2031)
                     select new ProfitTaxInput(year, ReportingPeriod.Year, income, expenses);
        Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            var r = ProfitTaxCalculator.Compute(input, TestRules.Embedded).Value;
            return r.TaxRub >= 0m && r.FederalTaxRub >= 0m && r.RegionalTaxRub >= 0m
                && r.TaxRub == r.FederalTaxRub + r.RegionalTaxRub
                && r.TaxRub == Rounding.TaxRub(r.BaseRub * 0.25m);
        }).Check(Config.WithMaxTest(500));
    }

    [Fact]
    public void TaxRounding_HalfRouble_RoundsUpOnEvenAndOddValues()
    {
        var halves = from n in Gen.Choose(0, int.MaxValue) select n + 0.5m;
        Prop.ForAll(halves.ToArbitrary(), x =>
            Rounding.TaxRub(x) == decimal.Truncate(x) + 1m
            && Rounding.TaxRub(x - 0.01m) == decimal.Truncate(x)
            && Rounding.TaxRub(-x) == -(decimal.Truncate(x) + 1m)).Check(Config);
    }

    [Fact]
    public void KopeckRounding_HalfKopeck_RoundsAwayFromZeroOnEvenAndOddValues()
    {
        var halves = from n in Gen.Choose(0, int.MaxValue) select (n / 100m) + 0.005m;
        Prop.ForAll(halves.ToArbitrary(), x => Rounding.Kopecks(x) == decimal.Truncate(x * 100m) / 100m + 0.01m).Check(Config);
    }
}
