namespace Calc.Domain.Tax;

/// <summary>
/// A sale (or other disposal) of digital currency. <see cref="QuoteRub"/> is the market quote per unit in RUB
/// on <see cref="SaleDate"/> (art. 282.3, same method as income valuation); <see cref="CostRub"/> is the cost
/// of the units sold (for a mined coin: the value recognised as mining income); when null, the profit-tax
/// computation writes off cost from the given lots (FIFO, or the lot named by <see cref="LotId"/> for unit cost).
/// </summary>
public sealed record CryptoSale(
    DateOnly SaleDate, string Asset, decimal Amount, decimal ProceedsRub, decimal? CostRub = null,
    decimal? QuoteRub = null, decimal SellingCostsRub = 0m, string? LotId = null);

/// <summary>One sale's taxable revenue after the revenue floor (quote − 20 %).</summary>
public sealed record SaleRevenue(CryptoSale Sale, decimal FloorRub, decimal TaxableRevenueRub, bool FloorApplied, decimal CostRub);
