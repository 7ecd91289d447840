using Calc.Domain.Income;

namespace Calc.Application.Valuation;

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

    /// <summary>
    /// USDT conversion when a request leaves it unspecified (tax-rules R2.9, open question Q2). The service
    /// default is <see cref="UsdtPolicy.TreatAsUsd"/>: the venues on the FNS list quote BTC in USDT and USDT
    /// has no CBR rate; every valuation made this way says so in its provenance (<c>USDT_AS_USD</c>).
    /// Operators who want USD/EUR pairs only set <c>Reject</c>.
    /// </summary>
    public UsdtPolicy DefaultUsdtPolicy { get; set; } = UsdtPolicy.TreatAsUsd;

    /// <summary>Most items in one unary batch call.</summary>
    public int MaxBatchItems { get; set; } = 10_000;

    /// <summary>Default collateral haircut (fraction), when a request gives none (tax-rules O7: 50 %).</summary>
    public decimal DefaultHaircut { get; set; } = 0.5m;

    /// <summary>Default LTV (loan / market value) at which a margin call is due.</summary>
    public decimal DefaultMarginCallLtv { get; set; } = 0.5m;

    /// <summary>Default LTV (loan / market value) at which the position is liquidated.</summary>
    public decimal DefaultLiquidationLtv { get; set; } = 0.6m;
}
