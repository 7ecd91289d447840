using Calc.Domain.Money;
using Calc.Domain.Rules;
using Calc.Domain.Tax;
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

    private static TaxScale InvestmentScale => TestRules.Embedded.NdflInvestmentScale.At(new DateOnly(2025, 1, 1)).Value;

    /// <summary>The investment base's threshold and rates as tax-rules R3.6 / §6 state them (not read from the rule file).</summary>
    private const decimal InvestmentThreshold = 2_400_000m;

    private const decimal InvestmentLowRate = 0.13m;

    private const decimal InvestmentHighRate = 0.15m;

    /// <summary>tax-rules §6: T = 13 % × min(I, 2.4 M) + 15 % × max(0, I − 2.4 M), exact.</summary>
    private static decimal SpecInvestmentTax(decimal b) =>
        b <= 0m ? 0m : (InvestmentLowRate * Math.Min(b, InvestmentThreshold)) + (InvestmentHighRate * Math.Max(0m, b - InvestmentThreshold));

    private static bool IsWholeRoubles(decimal x) => x == decimal.Truncate(x);

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
                && r.FederalTaxRub == Rounding.TaxRub(r.BaseRub * r.FederalRate)
                && r.RegionalTaxRub == Rounding.TaxRub(r.BaseRub * r.RegionalRate)
                && Math.Abs(r.TaxRub - r.BaseRub * 0.25m) <= 1m;
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

    [Fact]
    public void InvestmentTax_IsTheSpecFormula_ContinuousAtItsThreshold()
    {
        // at the threshold both sides give 13 % × 2 400 000 = 312 000 (tax-rules R3.6), and the rule file's scale has one threshold
        var scale = InvestmentScale;
        Assert.Equal(new[] { 0m, InvestmentThreshold }, scale.Brackets.Select(b => b.From));
        Assert.Equal(312_000m, scale.TaxOn(InvestmentThreshold));

        // a kopeck step costs exactly 13 % of a kopeck below the threshold and 15 % from it on: no jump at 2 400 000
        var near = from offset in Gen.Choose(-1_000_000, 1_000_000) select InvestmentThreshold + (offset / 100m);
        Prop.ForAll(near.ToArbitrary(), b =>
        {
            decimal step = scale.TaxOn(b + 0.01m) - scale.TaxOn(b);
            return step == (b < InvestmentThreshold ? InvestmentLowRate : InvestmentHighRate) * 0.01m
                && scale.TaxOn(b) == SpecInvestmentTax(b);
        }).Check(Config);

        // two-sided: bases ε below and ε above the threshold differ by at most 15 % × 2ε
        var eps = from k in Gen.Choose(1, 10_000_000) select k / 100m;
        Prop.ForAll(eps.ToArbitrary(), e =>
        {
            decimal jump = scale.TaxOn(InvestmentThreshold + e) - scale.TaxOn(InvestmentThreshold - e);
            return jump >= 0m && jump <= InvestmentHighRate * 2m * e;
        }).Check(Config);
    }

    [Fact]
    public void InvestmentTax_IsMonotoneInTheBase_ExactAndInWholeRoubles()
    {
        var scale = InvestmentScale;
        var pairs = from a in Amounts() from b in Amounts() select (Lo: Math.Min(a, b), Hi: Math.Max(a, b));
        Prop.ForAll(pairs.ToArbitrary(), p =>
            scale.TaxOn(p.Lo) == SpecInvestmentTax(p.Lo)
            && scale.TaxOn(p.Lo) <= scale.TaxOn(p.Hi)
            && Rounding.TaxRub(scale.TaxOn(p.Lo)) <= Rounding.TaxRub(scale.TaxOn(p.Hi))).Check(Config);

        // the calculator's investment tax of a resident: the spec formula rounded to whole roubles, monotone in the base
        var inputs = from p in pairs from year in Gen.Choose(2025, 2031) select (p.Lo, p.Hi, Year: year);
        Prop.ForAll(inputs.ToArbitrary(), x =>
        {
            var lo = NdflCalculator.Compute(new NdflInput(x.Year, Residency.Resident, 0m, InvestmentBaseRub: x.Lo), TestRules.Embedded);
            var hi = NdflCalculator.Compute(new NdflInput(x.Year, Residency.Resident, 0m, InvestmentBaseRub: x.Hi), TestRules.Embedded);
            return lo.IsSuccess && hi.IsSuccess
                && lo.Value.InvestmentTaxRub == Rounding.TaxRub(SpecInvestmentTax(x.Lo))
                && IsWholeRoubles(lo.Value.InvestmentTaxRub) && IsWholeRoubles(hi.Value.InvestmentTaxRub)
                && lo.Value.InvestmentTaxRub <= hi.Value.InvestmentTaxRub;
        }).Check(Config.WithMaxTest(500));
    }

    [Fact]
    public void NdflTotalDue_IsMonotoneInMiningIncome_ForResidentsAndNonResidents_InWholeRoubles()
    {
        // everything but mining income is fixed (incl. withheld tax, a sale, the expense-excess policy); income lo <= hi
        var inputs = from lo in Amounts() from hi in Amounts() from expenses in Amounts() from other in Amounts()
                     from withheld in Amounts() from invest in Amounts()
                     from residency in Gen.Elements(Residency.Resident, Residency.NonResident)
                     from policy in Gen.Elements(ExpenseExcessPolicy.CapAtMiningIncome, ExpenseExcessPolicy.ReduceOtherMainBase)
                     from year in Gen.Choose(2025, 2031)
                     from sale in Gen.Elements(false, true) from proceeds in Amounts() from cost in Amounts()
                     select (Lo: Math.Min(lo, hi), Hi: Math.Max(lo, hi),
                         Input: new NdflInput(year, residency, 0m, expenses, other, withheld, invest,
                             sale ? [new CryptoSale(new DateOnly(year, 6, 30), "BTC", 0.5m, proceeds, cost)] : null,
                             new NdflOptions(policy)));
        Prop.ForAll(inputs.ToArbitrary(), x =>
        {
            var lo = NdflCalculator.Compute(x.Input with { MiningIncomeRub = x.Lo }, TestRules.Embedded);
            var hi = NdflCalculator.Compute(x.Input with { MiningIncomeRub = x.Hi }, TestRules.Embedded);
            if (!lo.IsSuccess || !hi.IsSuccess)
            {
                return false;
            }

            var (a, b) = (lo.Value, hi.Value);
            return a.TotalDueRub <= b.TotalDueRub
                && a.TaxDueRub <= b.TaxDueRub
                && a.MainTaxRub <= b.MainTaxRub
                && a.MainTaxExactRub <= b.MainTaxExactRub
                && a.InvestmentTaxRub == b.InvestmentTaxRub
                && a.TotalDueRub == a.TaxDueRub + a.InvestmentTaxRub
                && new[] { a.TotalDueRub, a.TaxDueRub, a.MainTaxRub, a.InvestmentTaxRub, b.TotalDueRub, b.TaxDueRub, b.MainTaxRub, b.InvestmentTaxRub }
                    .All(IsWholeRoubles);
        }).Check(Config.WithMaxTest(500));
    }

    [Fact]
    public void ProfitTax_IsMonotoneInRevenue_WithCostsFixed_NeverNegative_InWholeRoubles()
    {
        // mining income and a sale's proceeds each go up (lo <= hi) while mining costs, the sold coin's cost, the quote,
        // the period, the year and the loss carry-forward stay fixed
        var inputs = from incomeA in Amounts() from incomeB in Amounts() from proceedsA in Amounts() from proceedsB in Amounts()
                     from expenses in Amounts() from cost in Amounts() from quote in Amounts() from losses in Amounts()
                     from sale in Gen.Elements(false, true)
                     from carry in Gen.Elements(LossCarryForwardPolicy.Off, LossCarryForwardPolicy.On)
                     from period in Gen.Elements(ReportingPeriod.Q1, ReportingPeriod.H1, ReportingPeriod.M9, ReportingPeriod.Year)
                     from year in Gen.Choose(2025, 2031)
                     select (IncomeLo: Math.Min(incomeA, incomeB), IncomeHi: Math.Max(incomeA, incomeB),
                         ProceedsLo: Math.Min(proceedsA, proceedsB), ProceedsHi: Math.Max(proceedsA, proceedsB), Sale: sale,
                         Input: new ProfitTaxInput(year, period, 0m, expenses, LossesCarriedForwardRub: losses,
                             Options: new ProfitTaxOptions(LossCarryForward: carry)),
                         Sold: new CryptoSale(new DateOnly(year, 1, 15), "BTC", 1m, 0m, cost, quote));
        Prop.ForAll(inputs.ToArbitrary(), x =>
        {
            ProfitTaxResult? Run(decimal income, decimal proceeds)
            {
                var r = ProfitTaxCalculator.Compute(x.Input with
                {
                    MiningIncomeRub = income,
                    Sales = x.Sale ? [x.Sold with { ProceedsRub = proceeds }] : null,
                }, TestRules.Embedded);
                return r.IsSuccess ? r.Value : null;
            }

            var basis = Run(x.IncomeLo, x.ProceedsLo);
            var moreIncome = Run(x.IncomeHi, x.ProceedsLo);
            var moreProceeds = Run(x.IncomeLo, x.ProceedsHi);
            if (basis is null || moreIncome is null || moreProceeds is null)
            {
                return false;
            }

            return basis.TaxRub <= moreIncome.TaxRub && basis.BaseRub <= moreIncome.BaseRub
                && basis.TaxRub <= moreProceeds.TaxRub && basis.BaseRub <= moreProceeds.BaseRub
                && new[] { basis, moreIncome, moreProceeds }.All(r =>
                    r.TaxRub >= 0m && r.FederalTaxRub >= 0m && r.RegionalTaxRub >= 0m && r.BaseRub >= 0m
                    && IsWholeRoubles(r.TaxRub) && IsWholeRoubles(r.FederalTaxRub) && IsWholeRoubles(r.RegionalTaxRub)
                    && r.TaxRub == r.FederalTaxRub + r.RegionalTaxRub);
        }).Check(Config.WithMaxTest(500));
    }
}
