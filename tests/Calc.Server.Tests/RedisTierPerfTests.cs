using System.Diagnostics;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Calc.Server.Tests;

/// <summary>
/// A measurement, not a check (runs only with CALC_PERF=1 and a redis-server on PATH): lookups per second for
/// a batch of 10,000 (pair, day) closes that only a real Redis holds — the in-process tiers are empty.
/// Reproduce: <c>CALC_PERF=1 dotnet test tests/Calc.Server.Tests -c Release --filter FullyQualifiedName~RedisTierPerf --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class RedisTierPerfTests(ITestOutputHelper output)
{
    private const int Keys = 10_000;

    [PerfFact]
    public async Task Measure_TenThousandCloses_OnlyInRedis()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var cache = new RedisQuoteCache(redis.Configuration + ",abortConnect=false,syncTimeout=5000", NullLogger<RedisQuoteCache>.Instance);
        for (int i = 0; i < 100 && cache.State != CacheState.Connected; i++)
        {
            await Task.Delay(50);
        }

        // 10 synthetic pairs × 1,000 days: only the key layout matters here, not the figures
        var keys = new CloseKey[Keys];
        var closes = new DailyClose[Keys];
        for (int i = 0; i < Keys; i++)
        {
            var pair = new AssetPair("A" + (i % 10), "USDT");
            var day = new DateOnly(2022, 1, 1).AddDays(i / 10);
            keys[i] = new CloseKey("binance", pair, day);
            closes[i] = new DailyClose("binance", pair, day, 100m + i, IsFinal: true);
        }

        await cache.SetClosesAsync(closes, CancellationToken.None);
        var options = Options.Create(new MarketDataOptions { CacheTimeout = TimeSpan.FromSeconds(5) });
        var results = new Lookup<CloseQuote>[Keys];
        const int rounds = 30;
        var times = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var tiers = new TieredMarketData(new MarketDataStore(), cache, [], [], TimeProvider.System, options,
                new UpstreamHealth(TimeProvider.System), NullLogger<TieredMarketData>.Instance);
            var sw = Stopwatch.StartNew();
            await tiers.GetClosesAsync(keys, results, CancellationToken.None);
            times.Add(sw.Elapsed.TotalMilliseconds);
            Assert.All(results, x => Assert.Equal(QuoteSource.Redis, x.Value!.Source));
        }

        times.Sort();
        double median = times[rounds / 2];
        output.WriteLine($"10,000 closes only in Redis: median {median:N2} ms per batch = {Keys / median * 1000:N0} lookups/s (p90 {times[(int)(rounds * 0.9)]:N2} ms, {rounds} rounds)");
    }
}

/// <summary>A measurement that runs only with CALC_PERF=1 (skipped otherwise); it reports figures and never asserts timings.</summary>
internal sealed class PerfFactAttribute : FactAttribute
{
    public PerfFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CALC_PERF") != "1")
        {
            Skip = "performance measurement: set CALC_PERF=1 to run";
        }
    }
}
