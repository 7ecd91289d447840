using Calc.Domain.Money;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;

namespace Calc.Application.Valuation;

/// <summary>
/// The one precision policy of the RUB amounts Calc answers with (README "RUB amounts"): taxes in whole roubles
/// (Tax Code art. 52 p.6, rounded once by the domain); amounts — income, values, bases, results, bracket lines —
/// in kopecks, half away from zero (tax-rules R2.11, R5.3), rounded once at the output while every computation
/// runs on the exact figures; a price of one coin in roubles (price_rub, quote_rub) exact, close × CBR unit rate,
/// because it is a factor (amount × price_rub, rounded to kopecks, is the income or value). The figures behind a
/// price (close, CBR rate, nominal, unit rate) and ratios keep their own precision.
/// </summary>
public static class RubAmounts
{
    /// <summary>An amount in kopecks (tax-rules R2.11, R5.3).</summary>
    public static decimal Kopecks(decimal rub) => Rounding.Kopecks(rub);

    /// <summary>NDFL as answered: bases and bracket lines in kopecks; the taxes are already whole roubles.</summary>
    public static NdflResult ForOutput(NdflResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r with
        {
            MiningNetRub = Kopecks(r.MiningNetRub),
            MainBaseRub = Kopecks(r.MainBaseRub),
            MainTaxExactRub = Kopecks(r.MainTaxExactRub),
            Brackets = [.. r.Brackets.Select(Bracket)],
            InvestmentBaseRub = Kopecks(r.InvestmentBaseRub),
            InvestmentBrackets = [.. r.InvestmentBrackets.Select(Bracket)],
        };
    }

    /// <summary>Profit tax as answered: income, expenses, result, base and each sale's amounts in kopecks (its quote per coin exact).</summary>
    public static ProfitTaxResult ForOutput(ProfitTaxResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r with
        {
            IncomeRub = Kopecks(r.IncomeRub),
            ExpensesRub = Kopecks(r.ExpensesRub),
            ResultRub = Kopecks(r.ResultRub),
            LossUsedRub = Kopecks(r.LossUsedRub),
            BaseRub = Kopecks(r.BaseRub),
            Sales = [.. r.Sales.Select(s => s with
            {
                FloorRub = Kopecks(s.FloorRub),
                TaxableRevenueRub = Kopecks(s.TaxableRevenueRub),
                CostRub = Kopecks(s.CostRub),
            })],
        };
    }

    private static Calc.Domain.Rules.BracketTax Bracket(Calc.Domain.Rules.BracketTax b) =>
        b with { From = Kopecks(b.From), To = b.To is { } to ? Kopecks(to) : null, Base = Kopecks(b.Base), Tax = Kopecks(b.Tax) };
}
