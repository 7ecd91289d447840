using System.Collections.Frozen;
using Calc.Application.MarketData;
using Calc.Domain.Errors;

namespace Calc.Application.Valuation;

/// <summary>
/// The venues Calc knows: those it has an upstream client for (src/Calc.Adapters.Exchanges, enabled or not; keep
/// this list in step with the clients, a test there checks it) and any venue whose closes are held (imported).
/// A venue outside both is UNKNOWN_VENUE naming the known ones, instead of a "no close is held" that reads as
/// missing data.
/// </summary>
public static class KnownVenues
{
    /// <summary>Venue ids with an exchange client.</summary>
    public static FrozenSet<string> Supported { get; } =
        new[] { "binance", "bybit", "okx", "kucoin", "mexc", "htx", "gate", "coinbase", "kraken", "bitstamp" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="venue"/> is known; else UNKNOWN_VENUE naming the known venues.</summary>
    public static CalcError? Check(string venue, IMarketData market, string field)
    {
        if (Supported.Contains(venue))
        {
            return null;
        }

        var held = market.ListVenues();
        foreach (var v in held)
        {
            if (string.Equals(v.Venue, venue, StringComparison.Ordinal))
            {
                return null;
            }
        }

        var all = Supported.Union(held.Select(v => v.Venue), StringComparer.Ordinal).Order(StringComparer.Ordinal);
        string withData = string.Join(", ", held.Where(v => v.Pairs.Count > 0).Select(v => v.Venue).Order(StringComparer.Ordinal));
        return CalcError.Invalid(Reasons.UnknownVenue, field,
            $"venue '{venue}' is not known to Calc: known venues are {string.Join(", ", all)}"
            + (withData.Length > 0 ? $" (closes held for: {withData})" : " (no closes are held yet)"));
    }
}
