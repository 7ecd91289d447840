namespace Calc.Domain.Money;

/// <summary>
/// One named way of rounding an amount, with the legal (or documented practical) basis that requires it.
/// Amounts are rounded only through these policies, once, at the boundary the policy names.
/// </summary>
public sealed record RoundingPolicy(string Name, int Decimals, MidpointRounding Mode, string LegalBasis)
{
    public decimal Apply(decimal value) => decimal.Round(value, Decimals, Mode);
}

/// <summary>
/// The only place amounts are rounded. Note that <see cref="decimal.Round(decimal)"/> defaults to banker's
/// rounding (half to even); every policy here names its midpoint mode explicitly.
/// </summary>
public static class Rounding
{
    /// <summary>
    /// RUB value of one mining receipt (and any other income/value amount): kopecks, half away from zero.
    /// No statute rounds a receipt; tax-rules R2.11/R5.3 and the api.md convention fix 2 dp, rounded once
    /// per receipt before summing.
    /// </summary>
    public static RoundingPolicy IncomeKopecks { get; } = new(
        "INCOME_KOPECKS", 2, MidpointRounding.AwayFromZero,
        "tax-rules R2.11, R5.3 (no statutory rule; kopecks, half away from zero, once per receipt)");

    /// <summary>
    /// Tax amounts in whole roubles: under 50 kopecks dropped, 50 kopecks or more rounded up to a rouble.
    /// </summary>
    public static RoundingPolicy TaxRoubles { get; } = new(
        "TAX_WHOLE_ROUBLES", 0, MidpointRounding.AwayFromZero,
        "Tax Code art. 52 p.6 (Law 23.07.2013 No 248-FZ): < 50 kopecks dropped, >= 50 kopecks rounded up");

    /// <summary>Loan-to-value and other ratios shown to banks: 6 dp, half away from zero (display, no statute).</summary>
    public static RoundingPolicy Ratio { get; } = new(
        "RATIO_6DP", 6, MidpointRounding.AwayFromZero,
        "no statutory rule: collateral ratios are contractual; 6 dp for display (tax-rules O7)");

    /// <summary>Income/value amount to kopecks (<see cref="IncomeKopecks"/>).</summary>
    public static decimal Kopecks(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>Tax amount to whole roubles (<see cref="TaxRoubles"/>).</summary>
    public static decimal TaxRub(decimal value) => decimal.Round(value, 0, MidpointRounding.AwayFromZero);
}
