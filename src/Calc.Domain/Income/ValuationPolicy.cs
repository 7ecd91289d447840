namespace Calc.Domain.Income;

/// <summary>
/// How USDT-quoted closes become roubles (tax-rules R2.9, open question Q2). USDT has no CBR official rate
/// and art. 282.3 converts a foreign-currency quote at the CBR rate, so pricing USDT as USD is an assumption.
/// </summary>
public enum UsdtPolicy
{
    /// <summary>
    /// Default: a USDT close is refused (USDT_NOT_CONVERTIBLE); choose a BTC/USD or BTC/EUR close or a RUB
    /// value. Chosen as default because a silent 1:1 peg would misstate taxable income without any legal basis.
    /// </summary>
    Reject,

    /// <summary>Opt-in: 1 USDT = 1 USD at the CBR USD rate; recorded in the provenance source of each result.</summary>
    TreatAsUsd,
}

/// <summary>
/// The valuation choices for one batch: the zone that defines the income date (the caller resolves and
/// caches the <see cref="TimeZoneInfo"/>), the USDT policy, and whether provisional (non-final) closes may be used.
/// </summary>
public sealed record ValuationPolicy(TimeZoneInfo Zone, UsdtPolicy Usdt = UsdtPolicy.Reject, bool AllowProvisional = false)
{
    /// <summary>The CBR currency a close in <paramref name="quoteCurrency"/> needs, or null when none (RUB).</summary>
    public string? CbrCurrencyFor(string quoteCurrency) => quoteCurrency switch
    {
        "RUB" => null,
        "USDT" => Usdt == UsdtPolicy.TreatAsUsd ? "USD" : null,
        _ => quoteCurrency,
    };
}
