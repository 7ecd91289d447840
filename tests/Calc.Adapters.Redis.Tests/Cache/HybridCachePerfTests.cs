using System.Diagnostics;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>
/// A measurement, not a check (CALC_PERF=1): the month-end batch of 10,000 closes with the in-process tier cold and
/// every value in Redis, read (a) through <see cref="RedisQuoteCache"/> (one MGET per hash-tagged series) and (b)
/// through <see cref="HybridCache"/> with Redis as L2 (AddStackExchangeRedisCache: one GET per key, as HybridCache has
/// no multi-get), both on one multiplexer to the same real redis-server. Each round starts a new HybridCache, so
/// its L1 is cold like a new replica's. The figures decide where HybridCache is used (MarketData README).
/// Reproduce: <c>CALC_PERF=1 dotnet test tests/Calc.Adapters.Redis.Tests -c Release --filter FullyQualifiedName~HybridCachePerf --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class HybridCachePerfTests(ITestOutputHelper output)
{
    private const int Keys = 10_000;
    private const int Rounds = 15;

    [Fact]
    public async Task Measure_TenThousandClosesFromRedis_MGetPerSeries_VersusHybridCachePerKey()
    {
        if (Environment.GetEnvironmentVariable("CALC_PERF") != "1")
        {
            output.WriteLine("performance measurement: set CALC_PERF=1 to run");
            return;
        }

        await using var server = await RedisServer.StartNewAsync();
        await using var cache = await TestClients.ConnectedCacheAsync(server.Configuration, new ListLogger<RedisQuoteCache>());
        var mux = cache.Connection;

        // 10 pairs × 1,000 days, as the RedisTierPerfTests harness
        var keys = new CloseKey[Keys];
        var closes = new DailyClose[Keys];
        for (int i = 0; i < Keys; i++)
        {
            var pair = new AssetPair("A" + (i % 10), "USDT");
            var day = new DateOnly(2022, 1, 1).AddDays(i / 10);
            keys[i] = new CloseKey("binance", pair, day);
            closes[i] = new DailyClose("binance", pair, day, 100m + i, IsFinal: true);
        }

        Assert.True(await cache.TryStoreClosesAsync(closes, default));
        var names = keys.Select(k => "hc:" + QuoteCacheKeySchema.CloseKeyOf(k)).ToArray();
        // (the providers are not disposed: RedisCache would close the shared multiplexer with them)
        var warm = HybridOn(mux).GetRequiredService<HybridCache>();
        for (int i = 0; i < Keys; i++)
        {
            await warm.SetAsync(names[i], QuoteCacheKeySchema.EncodeClose(closes[i]));
        }

        var mget = new List<double>();
        var perKey = new List<double>();
        var results = new DailyClose?[Keys];
        for (int r = 0; r < Rounds; r++)
        {
            Array.Clear(results);
            var sw = Stopwatch.StartNew();
            await cache.GetClosesAsync(keys, results, default);
            mget.Add(sw.Elapsed.TotalMilliseconds);
            Assert.All(results, Assert.NotNull);

            var hybrid = HybridOn(mux).GetRequiredService<HybridCache>();
            sw.Restart();
            var reads = new Task<string>[Keys];
            for (int i = 0; i < Keys; i++)
            {
                reads[i] = hybrid.GetOrCreateAsync<string>(names[i], _ => throw new InvalidOperationException("not in L2")).AsTask();
            }

            var values = await Task.WhenAll(reads);
            for (int i = 0; i < Keys; i++)
            {
                results[i] = QuoteCacheKeySchema.DecodeClose(keys[i], System.Text.Encoding.ASCII.GetBytes(values[i]));
            }

            perKey.Add(sw.Elapsed.TotalMilliseconds);
            Assert.All(results, Assert.NotNull);
        }

        mget.Sort();
        perKey.Sort();
        output.WriteLine($"10,000 closes, memory cold, all in Redis ({Rounds} rounds, medians; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}):");
        output.WriteLine($"  RedisQuoteCache (MGET per series): {mget[Rounds / 2]:N1} ms");
        output.WriteLine($"  HybridCache + AddStackExchangeRedisCache (GET per key): {perKey[Rounds / 2]:N1} ms ({perKey[Rounds / 2] / mget[Rounds / 2]:N1}x)");
    }

    private static ServiceProvider HybridOn(IConnectionMultiplexer mux)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddStackExchangeRedisCache(o => o.ConnectionMultiplexerFactory = () => Task.FromResult(mux));
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }
}
