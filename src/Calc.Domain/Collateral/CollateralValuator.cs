using Calc.Domain.Errors;
using Calc.Domain.Money;
using static Calc.Domain.Money.DecimalText;

namespace Calc.Domain.Collateral;

public enum CollateralStatus
{
    Ok,
    MarginCall,
    Liquidation,
}

/// <summary>
/// A pledge of <see cref="Amount"/> coins at <see cref="PriceRub"/> per coin (the R2 valuation method, daily),
/// a <see cref="Haircut"/> (0 ≤ h &lt; 1; default 50 %, tax-rules O7), the loan outstanding and the LTV
/// thresholds (0 &lt; margin call &lt; liquidation).
/// </summary>
public sealed record CollateralInput(
    string Asset, decimal Amount, decimal PriceRub, decimal LoanRub,
    decimal Haircut = CollateralValuator.DefaultHaircut, decimal MarginCallLtv = 0.5m, decimal LiquidationLtv = 0.6m);

/// <summary>
/// Market value = amount × price; collateral value = market × (1 − haircut) = the largest loan it secures;
/// LTV = loan / market value; status by LTV thresholds (≥ liquidation → LIQUIDATION, ≥ margin call →
/// MARGIN_CALL). Trigger prices are the per-coin prices at which LTV reaches each threshold
/// (loan / (amount × threshold)); 0 when there is no loan. Money to kopecks, LTV to 6 dp; the status is
/// decided on exact values.
/// </summary>
public sealed record CollateralValuation(
    decimal MarketValueRub, decimal CollateralValueRub, decimal MaxLoanRub, decimal Ltv, CollateralStatus Status,
    decimal MarginCallPriceRub, decimal LiquidationPriceRub, IReadOnlyList<string> Explanation);

public static class CollateralValuator
{
    /// <summary>Reported bank practice: 50 % discount to the coin's value (tax-rules O7, S27).</summary>
    public const decimal DefaultHaircut = 0.50m;

    public static CalcResult<CollateralValuation> Value(CollateralInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Amount <= 0m || input.PriceRub <= 0m || input.Amount > 1_000_000_000m || input.PriceRub > 1_000_000_000_000m)
        {
            return CalcError.Invalid(Reasons.InvalidAmount, input.Amount <= 0m ? "amount" : "price_rub", "amount and price must be positive and within range");
        }

        if (input.LoanRub < 0m)
        {
            return CalcError.Invalid(Reasons.NegativeAmount, "loan_rub", "loan must not be negative");
        }

        if (input.Haircut < 0m || input.Haircut >= 1m)
        {
            return CalcError.Invalid(Reasons.InvalidRate, "haircut", "haircut must be in [0, 1)");
        }

        if (input.MarginCallLtv <= 0m || input.LiquidationLtv <= input.MarginCallLtv || input.LiquidationLtv > 10m)
        {
            return CalcError.Invalid(Reasons.InvalidThreshold, "margin_call_ltv", "need 0 < margin_call_ltv < liquidation_ltv <= 10");
        }

        decimal market = input.Amount * input.PriceRub;
        decimal collateral = market * (1m - input.Haircut);
        decimal ltv = input.LoanRub / market;
        var status = input.LoanRub >= input.LiquidationLtv * market ? CollateralStatus.Liquidation
            : input.LoanRub >= input.MarginCallLtv * market ? CollateralStatus.MarginCall
            : CollateralStatus.Ok;
        decimal mcPrice = input.LoanRub == 0m ? 0m : Rounding.Kopecks(input.LoanRub / (input.Amount * input.MarginCallLtv));
        decimal liqPrice = input.LoanRub == 0m ? 0m : Rounding.Kopecks(input.LoanRub / (input.Amount * input.LiquidationLtv));
        decimal marketRub = Rounding.Kopecks(market), collateralRub = Rounding.Kopecks(collateral);
        decimal ltvShown = Rounding.Ratio.Apply(ltv);
        var lines = new[]
        {
            $"market value = {Format(input.Amount)} {input.Asset} x {Format(input.PriceRub)} = {Format(marketRub)} RUB",
            $"collateral value = market x (1 - haircut {Format(input.Haircut)}) = {Format(collateralRub)} RUB = max loan",
            $"LTV = loan {Format(input.LoanRub)} / market {Format(marketRub)} = {Format(ltvShown)} -> {status} (margin call at {Format(input.MarginCallLtv)}, liquidation at {Format(input.LiquidationLtv)})",
            $"margin-call price {Format(mcPrice)} RUB/coin, liquidation price {Format(liqPrice)} RUB/coin",
        };
        return new CollateralValuation(marketRub, collateralRub, collateralRub, ltvShown, status, mcPrice, liqPrice, lines);
    }
}
