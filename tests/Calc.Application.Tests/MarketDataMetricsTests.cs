using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Tests;

/// <summary>The meter is process-wide: these tests run alone so no other test's lookups are counted.</summary>
[CollectionDefinition(nameof(MarketDataMetricsTests), DisableParallelization = true)]
public sealed class MarketDataMetricsCollection;

/// <summary>
/// calc.market_data.lookups counts which tier answered (local, redis, upstream) and
/// calc.market_data.upstream_requests the range requests with their outcome.
/// </summary>
[Collection(nameof(MarketDataMetricsTests))]
public sealed class MarketDataMetricsTests
{
    private static readonly CloseKey[] YearEnd =
    [
        new("binance", Build.BtcUsdt, new DateOnly(2024, 12, 29)),
        new("binance", Build.BtcUsdt, new DateOnly(2024, 12, 30)),
        new("binance", Build.BtcUsdt, new DateOnly(2024, 12, 31)),
    ];

    [Fact]
    public async Task Lookups_CountedByTheTierThatAnswered_UpstreamRequestsByOutcome()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var binance = new FakeExchange("binance", time);
        // real Binance BTC/USDT closes (shared/data)
        binance.Closes[(Build.BtcUsdt, new DateOnly(2024, 12, 29))] = 93738.2m;
        binance.Closes[(Build.BtcUsdt, new DateOnly(2024, 12, 30))] = 92792.05m;
        binance.Closes[(Build.BtcUsdt, new DateOnly(2024, 12, 31))] = 93576.0m;
        var shared = new InMemoryQuoteCache();
        using var metrics = new Recorder();

        var first = Build.Tiered(time, cache: shared, venues: [binance]);
        await first.GetClosesAsync(YearEnd, new Lookup<CloseQuote>[3], CancellationToken.None);  // cold: one range request
        await first.GetClosesAsync(YearEnd, new Lookup<CloseQuote>[3], CancellationToken.None);  // now in memory
        var second = Build.Tiered(time, cache: shared, venues: [binance]);
        await second.GetClosesAsync(YearEnd, new Lookup<CloseQuote>[3], CancellationToken.None); // another replica: from the shared cache
        binance.Failure = () => new UpstreamException("binance", Reasons.UpstreamUnavailable, "binance: HTTP 500 Internal Server Error");
        var failed = await second.GetCloseAsync("binance", Build.BtcUsdt, new DateOnly(2025, 1, 1), CancellationToken.None);

        Assert.False(failed.Ok);
        Assert.Equal(3, metrics.Sum("calc.market_data.lookups", ("kind", "close"), ("tier", "local")));
        Assert.Equal(3, metrics.Sum("calc.market_data.lookups", ("kind", "close"), ("tier", "redis")));
        Assert.Equal(4, metrics.Sum("calc.market_data.lookups", ("kind", "close"), ("tier", "upstream")));
        Assert.Equal(1, metrics.Sum("calc.market_data.upstream_requests", ("source", "binance"), ("outcome", "ok")));
        Assert.Equal(1, metrics.Sum("calc.market_data.upstream_requests", ("source", "binance"), ("outcome", "error")));
        Assert.Equal(2, binance.Calls);
    }

    [Fact]
    public async Task CbrRateLookups_CountedAsCbrRate()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var cbr = new FakeCbr();
        cbr.Rates.Add(new CbrRate("USD", new DateOnly(2025, 1, 10), 1, 102.2911m)); // real CBR USD rate (shared/data)
        using var metrics = new Recorder();
        var md = Build.Tiered(time, cbr: cbr);

        var cold = await md.GetCbrRateAsync("USD", new DateOnly(2025, 1, 12), CancellationToken.None);
        var warm = await md.GetCbrRateAsync("USD", new DateOnly(2025, 1, 12), CancellationToken.None);

        Assert.Equal((102.2911m, 102.2911m), (cold.Value!.Rate.Value, warm.Value!.Rate.Value));
        Assert.Equal(1, metrics.Sum("calc.market_data.lookups", ("kind", "cbr_rate"), ("tier", "upstream")));
        Assert.Equal(1, metrics.Sum("calc.market_data.lookups", ("kind", "cbr_rate"), ("tier", "local")));
        Assert.Equal(1, metrics.Sum("calc.market_data.upstream_requests", ("source", "cbr"), ("outcome", "ok")));
    }

    /// <summary>Listens to the Calc.Application meter from construction to disposal.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, long Value, KeyValuePair<string, object?>[] Tags)> _seen = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ApplicationMeter.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _seen.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public long Sum(string name, params (string Key, string Value)[] tags) =>
            _seen.Where(m => m.Name == name && tags.All(t => m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value)))).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }
}
