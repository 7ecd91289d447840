using System.Collections.Concurrent;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Calc.Application.Tests;

/// <summary>A clock the test moves: wall time and timestamps both follow <see cref="Now"/>; timers stay real.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => Now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>An exchange upstream in memory: counts calls, records ranges, may be slow or fail.</summary>
internal sealed class FakeExchange(string venue, TimeProvider time) : IExchangeCloseSource
{
    private int _calls;

    public string Venue => venue;

    public ConcurrentDictionary<(AssetPair, DateOnly), decimal> Closes { get; } = new();

    public ConcurrentQueue<(AssetPair Pair, DateOnly From, DateOnly To)> Ranges { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public TimeSpan Delay { get; set; }

    public Func<UpstreamException>? Failure { get; set; }

    public async Task<IReadOnlyList<DailyClose>> GetClosesAsync(AssetPair pair, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Ranges.Enqueue((pair, from, to));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (Failure is not null)
        {
            throw Failure();
        }

        var today = MarketClock.TodayUtc(time);
        return Closes.Where(kv => kv.Key.Item1 == pair && kv.Key.Item2 >= from && kv.Key.Item2 <= to && kv.Key.Item2 <= today)
            .OrderBy(kv => kv.Key.Item2)
            .Select(kv => new DailyClose(venue, pair, kv.Key.Item2, kv.Value, kv.Key.Item2 < today))
            .ToArray();
    }
}

/// <summary>The CBR upstream in memory, holding published rates (effective dates).</summary>
internal sealed class FakeCbr : ICbrRateSource
{
    private int _calls;

    public List<CbrRate> Rates { get; } = [];

    public ConcurrentQueue<(string Currency, DateOnly From, DateOnly To)> Ranges { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public TimeSpan Delay { get; set; }

    public Func<UpstreamException>? Failure { get; set; }

    public async Task<IReadOnlyList<CbrRate>> GetRatesAsync(string currency, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Ranges.Enqueue((currency, from, to));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (Failure is not null)
        {
            throw Failure();
        }

        if (currency == "USDT")
        {
            throw new UpstreamException("cbr", Reasons.UnknownCurrency, "CBR publishes no rate for currency 'USDT'");
        }

        lock (Rates)
        {
            return Rates.Where(r => r.Currency == currency && r.EffectiveDate >= from && r.EffectiveDate <= to).OrderBy(r => r.EffectiveDate).ToArray();
        }
    }
}

/// <summary>The shared cache (Redis) in memory, counting round trips.</summary>
internal sealed class InMemoryQuoteCache : IQuoteCache
{
    private int _reads;

    public ConcurrentDictionary<CloseKey, DailyClose> Closes { get; } = new();

    public ConcurrentDictionary<CbrRateKey, CbrRate> Rates { get; } = new();

    public int Reads => Volatile.Read(ref _reads);

    public CacheState State => CacheState.Connected;

    /// <summary>Raised by a test to play "another replica imported over shared values".</summary>
    public long ChangeEpoch { get; set; }

    public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        for (int i = 0; i < keys.Count; i++)
        {
            results[i] = Closes.TryGetValue(keys[i], out var c) ? c : null;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken)
    {
        foreach (var c in closes)
        {
            Assert.True(c.IsFinal, "only final closes may reach the shared cache");
            Closes[new CloseKey(c.Venue, c.Pair, c.Date)] = c;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        for (int i = 0; i < keys.Count; i++)
        {
            results[i] = Rates.TryGetValue(keys[i], out var r) ? r : null;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken)
    {
        foreach (var (date, rate) in rates)
        {
            Rates[new CbrRateKey(rate.Currency, date)] = rate;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A shared cache that is down: every call throws, or never completes.</summary>
internal sealed class BrokenQuoteCache(bool hang) : IQuoteCache
{
    public CacheState State => CacheState.Connected;

    public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken) => Fail();

    public ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken) => Fail();

    public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken) => Fail();

    public ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken) => Fail();

    private ValueTask Fail() => hang
        ? new ValueTask(new TaskCompletionSource().Task) // ignores cancellation, like a stuck socket
        : ValueTask.FromException(new IOException("connection refused"));
}

internal static class Build
{
    public static readonly AssetPair BtcUsdt = new("BTC", "USDT");
    public static readonly AssetPair BtcUsd = new("BTC", "USD");

    public static TieredMarketData Tiered(
        TimeProvider time,
        MarketDataStore? store = null,
        IQuoteCache? cache = null,
        ICbrRateSource? cbr = null,
        IEnumerable<IExchangeCloseSource>? venues = null,
        Action<MarketDataOptions>? configure = null,
        VenueRegistry? registry = null)
    {
        var options = new MarketDataOptions { CacheTimeout = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        return new TieredMarketData(store ?? new MarketDataStore(), cache ?? NoQuoteCache.Instance,
            cbr is null ? [] : [cbr], venues ?? [], time, Options.Create(options), new UpstreamHealth(time), NullLogger<TieredMarketData>.Instance, registry);
    }

    public static DateTimeOffset Utc(int y, int m, int d, int h = 12, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);
}
