namespace Calc.Domain.Tax.ProfitTax;

/// <summary>Reporting periods of profit tax, cumulative from 1 January (art. 285).</summary>
public enum ReportingPeriod
{
    Q1,
    H1,
    M9,
    Year,
}

/// <summary>Write-off of the cost of sold currency, fixed in the accounting policy (tax-rules R4.7, S24).</summary>
public enum WriteOffMethod
{
    /// <summary>First in, first out: the earliest lots acquired on or before the sale date are used first.</summary>
    Fifo,

    /// <summary>Cost of each unit (specific identification): every sale names the lot it comes from (<see cref="CryptoSale.LotId"/>).</summary>
    UnitCost,
}

/// <summary>Whether losses of earlier years reduce the crypto base (tax-rules R4.11, Q6). Default off.</summary>
public enum LossCarryForwardPolicy
{
    Off,

    /// <summary>Losses carried forward reduce the base, limited to the art. 283 p.2.1 share of it.</summary>
    On,
}

/// <summary>
/// A lawful reduced regional rate for this taxpayer (only in the cases Tax Code ch. 25 lists, 302-FZ);
/// <see cref="LegalBasis"/> is mandatory and is echoed in the result.
/// </summary>
public sealed record RegionalRateOverride(decimal Rate, string LegalBasis);

/// <summary>A lot of held currency: mined (cost = recognised income) or bought (cost = price, capped at quote + 20 %).</summary>
public sealed record CoinLot(string Id, DateOnly AcquiredOn, string Asset, decimal Amount, decimal CostRub);

public sealed record ProfitTaxOptions(
    WriteOffMethod WriteOff = WriteOffMethod.Fifo,
    LossCarryForwardPolicy LossCarryForward = LossCarryForwardPolicy.Off)
{
    public static ProfitTaxOptions Default { get; } = new();
}

/// <summary>
/// The separate digital-currency base of an organisation for a period (api.md ComputeProfitTax). Mining income
/// and expenses are cumulative from 1 January to the end of <see cref="Period"/>. A sale without
/// <see cref="CryptoSale.CostRub"/> takes its cost from <see cref="Lots"/> by <see cref="ProfitTaxOptions.WriteOff"/>.
/// </summary>
public sealed record ProfitTaxInput(
    int TaxYear,
    ReportingPeriod Period,
    decimal MiningIncomeRub,
    decimal MiningExpensesRub = 0m,
    IReadOnlyList<CryptoSale>? Sales = null,
    RegionalRateOverride? RegionalRateOverride = null,
    IReadOnlyList<CoinLot>? Lots = null,
    decimal LossesCarriedForwardRub = 0m,
    ProfitTaxOptions? Options = null);
