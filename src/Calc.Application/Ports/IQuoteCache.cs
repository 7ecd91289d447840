using Calc.Domain.Quotes;

namespace Calc.Application.Ports;

/// <summary>Key of one venue close: venue, pair and the venue's trading-day label.</summary>
public readonly record struct CloseKey(string Venue, AssetPair Pair, DateOnly Date);

/// <summary>Key of "the CBR rate in force on <see cref="Date"/>" for one currency.</summary>
public readonly record struct CbrRateKey(string Currency, DateOnly Date);

/// <summary>Health of a shared cache as the readiness checks report it.</summary>
public enum CacheState
{
    /// <summary>No shared cache configured (embedded default): nothing to report.</summary>
    Disabled,
    Connected,
    /// <summary>Configured but unreachable or slow: Calc serves from memory and upstreams (fail-open).</summary>
    Degraded,
}

/// <summary>
/// The shared cache of final daily closes and CBR rates (Redis in production). An optimisation only:
/// implementations fail open — a read that cannot be served answers "miss", a write that cannot be done
/// is dropped — and never throw for a cache outage. Only final values are ever written.
/// </summary>
public interface IQuoteCache
{
    CacheState State { get; }

    /// <summary>
    /// Grows whenever values this replica may have learnt from the shared cache can have changed elsewhere
    /// (another replica imported over them, or this one missed such news while disconnected): the in-process
    /// tier drops what it learnt when it sees a new value. 0 for a cache that is not shared.
    /// </summary>
    long ChangeEpoch => 0;

    /// <summary>Fills <paramref name="results"/>[i] for each key found; leaves misses null. One round trip per call.</summary>
    ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken);

    ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken);

    /// <summary>Fills <paramref name="results"/>[i] with the rate in force on keys[i].Date, when cached.</summary>
    ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken);

    /// <summary>Stores, for each entry, the rate in force on that date (the rate carries its own effective date).</summary>
    ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="SetClosesAsync"/> that also says whether the cache took the values: false when they were
    /// dropped (outage, refusal). Still fail-open: never throws for an outage. The default answers from
    /// <see cref="State"/> after the write; implementations that know better override it.
    /// </summary>
    async ValueTask<bool> TryStoreClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken)
    {
        await SetClosesAsync(closes, cancellationToken).ConfigureAwait(false);
        return State == CacheState.Connected;
    }

    /// <summary><see cref="SetCbrRatesAsync"/> that also says whether the cache took the values (see <see cref="TryStoreClosesAsync"/>).</summary>
    async ValueTask<bool> TryStoreCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken)
    {
        await SetCbrRatesAsync(rates, cancellationToken).ConfigureAwait(false);
        return State == CacheState.Connected;
    }
}
