using System.Collections.Frozen;
using Calc.Application.MarketData;
using Calc.Domain.Errors;

namespace Calc.Application.Valuation;

/// <summary>
/// The venues Calc knows: those it has an upstream client for (src/Calc.Adapters.Exchanges, enabled or not; keep
/// this list in step with the clients, a test there checks it) and those the operator declares
/// (<see cref="VenueRegistry"/>, <c>MarketData:ExtraVenues</c>). A venue outside both is UNKNOWN_VENUE naming the
/// known ones, instead of a "no close is held" that reads as missing data.
/// </summary>
public static class KnownVenues
{
    /// <summary>Venue ids with an exchange client.</summary>
    public static FrozenSet<string> Supported { get; } =
        new[] { "binance", "bybit", "okx", "kucoin", "mexc", "htx", "gate", "coinbase", "kraken", "bitstamp" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The year each venue with a client began trading (the exchange or the predecessor whose history it
    /// continues): no close of it is dated before 1 January of that year. Bitstamp 2011; Kraken, OKX (OKCoin),
    /// HTX (Huobi) and Gate (Bter) 2013; Coinbase 2015 (its exchange, then GDAX); Binance and KuCoin 2017; Bybit and
    /// MEXC (MXC) 2018.
    /// </summary>
    public static FrozenDictionary<string, int> FirstTradingYear { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["bitstamp"] = 2011, ["kraken"] = 2013, ["okx"] = 2013, ["htx"] = 2013, ["gate"] = 2013,
        ["coinbase"] = 2015, ["binance"] = 2017, ["kucoin"] = 2017, ["bybit"] = 2018, ["mexc"] = 2018,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="venue"/> is known; else UNKNOWN_VENUE naming the known venues.</summary>
    public static CalcError? Check(string venue, IMarketData market, string field)
    {
        ArgumentNullException.ThrowIfNull(market);
        var venues = market.Venues;
        if (venues.IsDeclared(venue))
        {
            return null;
        }

        var held = market.ListVenues();
        string withData = string.Join(", ", held.Where(v => v.Pairs.Count > 0).Select(v => v.Venue).Order(StringComparer.Ordinal));
        return CalcError.Invalid(Reasons.UnknownVenue, field,
            $"venue '{venue}' is not known to Calc: known venues are {string.Join(", ", venues.All.Order(StringComparer.Ordinal))}"
            + (withData.Length > 0 ? $" (closes held for: {withData})" : " (no closes are held yet)"));
    }
}
