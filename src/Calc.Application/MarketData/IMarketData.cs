using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.MarketData;

/// <summary>Where a value came from, for provenance.</summary>
public enum QuoteSource
{
    Import,
    Memory,
    Redis,
    Upstream,
}

/// <summary>The CBR rate used for <see cref="Date"/> (the rate itself names its effective date).</summary>
public sealed record CbrRateQuote(DateOnly Date, CbrRate Rate, QuoteSource Source, bool IsFinal);

/// <summary>The venue close used, with where it came from.</summary>
public sealed record CloseQuote(DailyClose Close, QuoteSource Source);

/// <summary>Either a value or the reason there is none. Never both, never neither.</summary>
public readonly record struct Lookup<T>(T? Value, CalcError? Error) where T : class
{
    public bool Ok => Value is not null;

    public static Lookup<T> Found(T value) => new(value, null);

    public static Lookup<T> Failed(CalcError error) => new(null, error);
}

/// <summary>
/// The market data every valuation rests on. Implementations answer from the fastest tier that has the
/// value and explain a miss with a reason; they never invent or default a price.
/// </summary>
public interface IMarketData
{
    /// <summary>The CBR rate of <paramref name="currency"/> in force on <paramref name="date"/>.</summary>
    ValueTask<Lookup<CbrRateQuote>> GetCbrRateAsync(string currency, DateOnly date, CancellationToken cancellationToken);

    /// <summary>The close of <paramref name="pair"/> on <paramref name="venue"/> for trading day <paramref name="date"/>.</summary>
    ValueTask<Lookup<CloseQuote>> GetCloseAsync(string venue, AssetPair pair, DateOnly date, CancellationToken cancellationToken);

    /// <summary>Batch form: results[i] answers keys[i]. Misses are fetched as whole ranges, not day by day.</summary>
    ValueTask GetCbrRatesAsync(IReadOnlyList<Ports.CbrRateKey> keys, Lookup<CbrRateQuote>[] results, CancellationToken cancellationToken);

    /// <summary>Batch form: results[i] answers keys[i].</summary>
    ValueTask GetClosesAsync(IReadOnlyList<Ports.CloseKey> keys, Lookup<CloseQuote>[] results, CancellationToken cancellationToken);

    /// <summary>
    /// Venues with data or an upstream, with the pairs held and the span each covers; only venues of
    /// <see cref="Venues"/>, never another.
    /// </summary>
    IReadOnlyList<VenueInfo> ListVenues();

    /// <summary>The venues Calc accepts: those with a client and those the operator declared.</summary>
    VenueRegistry Venues { get; }
}

/// <summary>A venue with the pairs Calc knows on it.</summary>
public sealed record VenueInfo(string Venue, string DayConvention, IReadOnlyList<PairSpan> Pairs);

/// <summary>A pair with the first and last trading day held.</summary>
public sealed record PairSpan(AssetPair Pair, DateOnly? First, DateOnly? Last);
