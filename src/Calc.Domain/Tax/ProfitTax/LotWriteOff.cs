using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Domain.Tax.ProfitTax;

/// <summary>
/// Writes off the cost of sold units from held lots (FIFO or specific lot), in sale-date order. A lot's cost
/// is spread evenly over its units (its original cost per unit); partial takes round to kopecks and the last
/// take of a lot gets the remaining cost, so the lot's cost is written off exactly. Instance state lives only for one computation.
/// </summary>
internal sealed class LotWriteOff
{
    private readonly List<(CoinLot Lot, decimal Units, decimal Cost)> _lots;

    public LotWriteOff(IEnumerable<CoinLot> lots) =>
        _lots = lots.OrderBy(l => l.AcquiredOn).Select(l => (l, l.Amount, l.CostRub)).ToList();

    public CalcResult<decimal> Take(CryptoSale sale, string? lotId, string field)
    {
        decimal needed = sale.Amount, cost = 0m;
        for (int i = 0; i < _lots.Count && needed > 0m; i++)
        {
            var (lot, units, lotCost) = _lots[i];
            bool eligible = units > 0m && lot.AcquiredOn <= sale.SaleDate
                && string.Equals(lot.Asset, sale.Asset, StringComparison.Ordinal)
                && (lotId is null || string.Equals(lot.Id, lotId, StringComparison.Ordinal));
            if (!eligible)
            {
                continue;
            }

            decimal take = Math.Min(needed, units);
            decimal takeCost = take == units ? lotCost : Rounding.IncomeKopecks.Apply(lot.CostRub * take / lot.Amount);
            _lots[i] = (lot, units - take, lotCost - takeCost);
            needed -= take;
            cost += takeCost;
        }

        if (needed > 0m)
        {
            return CalcError.Precondition(Reasons.InsufficientLots,
                $"{needed} {sale.Asset} of the sale on {sale.SaleDate:yyyy-MM-dd} are not covered by lots held on that date"
                + (lotId is null ? string.Empty : $" in lot {lotId}"), field);
        }

        return cost;
    }
}
