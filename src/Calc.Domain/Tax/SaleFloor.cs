using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Rules;

namespace Calc.Domain.Tax;

/// <summary>
/// Art. 282.3: sale revenue is the actual price but not below the market quote on the sale date reduced by
/// 20 % (the discount is a dated parameter). The floor is rounded to kopecks like any RUB value.
/// </summary>
public static class SaleFloor
{
    public readonly record struct Outcome(decimal Floor, decimal TaxableRevenue, bool Applied);

    public static CalcResult<Outcome> Revenue(CryptoSale sale, RuleSet rules, string field)
    {
        ArgumentNullException.ThrowIfNull(sale);
        ArgumentNullException.ThrowIfNull(rules);
        if (sale.QuoteRub is not { } quote)
        {
            return CalcError.Invalid(Reasons.MissingQuote, field + ".quote_rub",
                "the market quote (RUB per unit) on the sale date is needed for the art. 282.3 revenue floor");
        }

        if (quote < 0m || sale.Amount <= 0m)
        {
            return CalcError.Invalid(Reasons.InvalidAmount, field, "quote_rub must be >= 0 and amount > 0");
        }

        var discount = rules.SaleRevenueFloorDiscount.At(sale.SaleDate);
        if (!discount.IsSuccess)
        {
            return discount.Error!;
        }

        decimal floor = Rounding.IncomeKopecks.Apply(quote * sale.Amount * (1m - discount.Value));
        bool applied = sale.ProceedsRub < floor;
        return new Outcome(floor, applied ? floor : sale.ProceedsRub, applied);
    }
}
