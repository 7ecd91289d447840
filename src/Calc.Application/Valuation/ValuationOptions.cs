namespace Calc.Application.Valuation;

/// <summary>How USDT-quoted closes become roubles (tax-rules R2.9, open question Q2).</summary>
public enum UsdtConversion
{
    /// <summary>USDT valued at the CBR USD rate; recorded as conversion <c>USDT_AS_USD</c> in provenance.</summary>
    TreatAsUsd,
    /// <summary>USDT-quoted valuations are refused with USDT_NOT_CONVERTIBLE.</summary>
    Reject,
}

/// <summary>
/// Server defaults for valuation requests that leave a field empty (configuration section <c>Valuation</c>),
/// and the batch limits.
/// </summary>
public sealed class ValuationOptions
{
    /// <summary>Venue used when a request names none. Binance is on the FNS list of foreign organisers.</summary>
    public string DefaultVenue { get; set; } = "binance";

    /// <summary>Quote currency used when a request names none.</summary>
    public string DefaultQuoteCurrency { get; set; } = "USDT";

    /// <summary>IANA zone in which receipt instants become income dates (tax-rules R2.8, open question Q1).</summary>
    public string DefaultTimeZone { get; set; } = "Europe/Moscow";

    /// <summary>USDT conversion when a request leaves it unspecified.</summary>
    public UsdtConversion DefaultUsdtConversion { get; set; } = UsdtConversion.TreatAsUsd;

    /// <summary>Most items in one unary batch call.</summary>
    public int MaxBatchItems { get; set; } = 10_000;

    /// <summary>Default collateral haircut (fraction), when a request gives none (tax-rules O7).</summary>
    public decimal DefaultHaircut { get; set; } = 0.5m;

    /// <summary>Default LTV at which a margin call is due.</summary>
    public decimal DefaultMarginCallLtv { get; set; } = 0.8m;

    /// <summary>Default LTV at which the position is liquidated.</summary>
    public decimal DefaultLiquidationLtv { get; set; } = 0.9m;
}
