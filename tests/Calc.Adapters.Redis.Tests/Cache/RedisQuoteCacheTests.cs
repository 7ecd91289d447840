using System.Diagnostics;
using System.Globalization;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using StackExchange.Redis;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>The <see cref="IQuoteCache"/> contract on a real redis-server, plus fail-open behaviour.</summary>
public sealed class RedisQuoteCacheTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    private static readonly AssetPair BtcUsdt = new("BTC", "USDT");
    private static readonly AssetPair EthUsdt = new("ETH", "USDT");
    private static readonly DateTimeOffset Now = new(2024, 6, 10, 12, 0, 0, TimeSpan.Zero);

    [RedisFact]
    public async Task Closes_WrittenThenRead_RoundTripWithMissesLeftNull()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        var venue = Venue();
        var closes = new[]
        {
            new DailyClose(venue, BtcUsdt, new DateOnly(2024, 3, 30), 69_893.45m, true),
            new DailyClose(venue, BtcUsdt, new DateOnly(2024, 3, 31), 71_333.48m, true),
            new DailyClose(venue, EthUsdt, new DateOnly(2024, 3, 31), 3_647.60m, true),
        };
        await cache.SetClosesAsync(closes, default);
        var keys = new[]
        {
            new CloseKey(venue, BtcUsdt, new DateOnly(2024, 3, 31)),
            new CloseKey(venue, BtcUsdt, new DateOnly(2024, 4, 1)),
            new CloseKey(venue, EthUsdt, new DateOnly(2024, 3, 31)),
            new CloseKey(venue, BtcUsdt, new DateOnly(2024, 3, 30)),
        };
        var results = new DailyClose?[keys.Length];

        // Act
        await cache.GetClosesAsync(keys, results, default);

        // Assert
        Assert.Equal(new[] { closes[1], null, closes[2], closes[0] }, results.AsEnumerable());
        Assert.Equal(CacheState.Connected, cache.State);
    }

    [RedisFact]
    public async Task SetClosesAsync_ProvisionalClose_IsNeverWritten()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        var venue = Venue();
        var today = new DailyClose(venue, BtcUsdt, new DateOnly(2024, 6, 10), 69_000m, IsFinal: false);
        var results = new DailyClose?[1];

        // Act
        await cache.SetClosesAsync([today], default);
        await cache.GetClosesAsync([new CloseKey(venue, BtcUsdt, today.Date)], results, default);

        // Assert
        Assert.Null(results[0]);
    }

    [RedisFact]
    public async Task CbrRates_CachedPerDate_CarryTheirOwnEffectiveDateAndNominal()
    {
        // Arrange: USD 2024-03-30 (Sat) set on Friday, in force Sat–Mon; JPY per 100
        await using var cache = await ConnectedCacheAsync();
        string usd = Currency();
        var rate = new CbrRate(usd, new DateOnly(2024, 3, 30), 1, 92.3660m);
        var jpy = new CbrRate("JPY", new DateOnly(2024, 3, 30), 100, 61.0470m);
        await cache.SetCbrRatesAsync(
        [
            (new DateOnly(2024, 3, 30), rate), (new DateOnly(2024, 3, 31), rate), (new DateOnly(2024, 4, 1), rate),
            (new DateOnly(2024, 3, 31), jpy),
        ], default);
        var keys = new[]
        {
            new CbrRateKey(usd, new DateOnly(2024, 3, 31)),
            new CbrRateKey(usd, new DateOnly(2024, 4, 2)),
            new CbrRateKey("JPY", new DateOnly(2024, 3, 31)),
            new CbrRateKey(usd, new DateOnly(2024, 4, 1)),
        };
        var results = new CbrRate?[keys.Length];

        // Act
        await cache.GetCbrRatesAsync(keys, results, default);

        // Assert
        Assert.Equal(new[] { rate, null, jpy, rate }, results.AsEnumerable());
    }

    [RedisFact]
    public async Task SetCbrRatesAsync_RateNotYetInForce_IsNotWritten()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        string cur = Currency();
        var future = new CbrRate(cur, new DateOnly(2024, 4, 2), 1, 92.5m);
        var results = new CbrRate?[1];

        // Act
        await cache.SetCbrRatesAsync([(new DateOnly(2024, 4, 1), future)], default);
        await cache.GetCbrRatesAsync([new CbrRateKey(cur, new DateOnly(2024, 4, 1))], results, default);

        // Assert
        Assert.Null(results[0]);
    }

    [RedisFact]
    public async Task Writes_FollowTheTtlPolicy_SettledLongRecentShort()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        await using var probe = await TestClients.ProbeAsync(fixture.Server.Configuration);
        var db = probe.GetDatabase();
        var venue = Venue();
        string cur = Currency();

        // Act
        await cache.SetClosesAsync(
        [
            new DailyClose(venue, BtcUsdt, new DateOnly(2024, 3, 31), 71_333.48m, true),
            new DailyClose(venue, BtcUsdt, new DateOnly(2024, 6, 9), 69_648.14m, true),
        ], default);
        await cache.SetCbrRatesAsync(
        [
            (new DateOnly(2024, 3, 31), new CbrRate(cur, new DateOnly(2024, 3, 30), 1, 92.3660m)),
            (new DateOnly(2024, 6, 11), new CbrRate(cur, new DateOnly(2024, 6, 11), 1, 89.0014m)),
        ], default);
        long settledClose = await TtlAsync(db, QuoteCacheKeySchema.CloseKeyOf(new CloseKey(venue, BtcUsdt, new DateOnly(2024, 3, 31)))!);
        long recentClose = await TtlAsync(db, QuoteCacheKeySchema.CloseKeyOf(new CloseKey(venue, BtcUsdt, new DateOnly(2024, 6, 9)))!);
        long settledRate = await TtlAsync(db, QuoteCacheKeySchema.CbrKeyOf(new CbrRateKey(cur, new DateOnly(2024, 3, 31)))!);
        long recentRate = await TtlAsync(db, QuoteCacheKeySchema.CbrKeyOf(new CbrRateKey(cur, new DateOnly(2024, 6, 11)))!);

        // Assert
        Assert.InRange(settledClose, 400 * 86400 - 5, 400 * 86400);
        Assert.InRange(recentClose, 3600 - 5, 3600);
        Assert.InRange(settledRate, 400 * 86400 - 5, 400 * 86400);
        Assert.InRange(recentRate, 3600 - 5, 3600);
    }

    [RedisFact]
    public async Task GetClosesAsync_MonthEndBatchAcrossSeries_OneBatchFillsEveryKey()
    {
        // Arrange: 3 series × 400 days = 1200 keys (more than one MGET per series)
        await using var cache = await ConnectedCacheAsync();
        var venue = Venue();
        var pairs = new[] { BtcUsdt, EthUsdt, new AssetPair("LTC", "USDT") };
        var start = new DateOnly(2023, 1, 1);
        var closes = pairs.SelectMany((p, pi) => Enumerable.Range(0, 400)
            .Select(d => new DailyClose(venue, p, start.AddDays(d), 1000m + (pi * 1000) + d + 0.25m, true))).ToArray();
        await cache.SetClosesAsync(closes, default);
        var keys = closes.Select(c => new CloseKey(c.Venue, c.Pair, c.Date)).Reverse().ToArray();
        var results = new DailyClose?[keys.Length];

        // Act
        await cache.GetClosesAsync(keys, results, default);

        // Assert
        Assert.Equal(closes.Reverse(), results);
    }

    [RedisFact]
    public async Task GetClosesAsync_CorruptValueInRedis_IsAMiss()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        await using var probe = await TestClients.ProbeAsync(fixture.Server.Configuration);
        var db = probe.GetDatabase();
        var venue = Venue();
        var key = new CloseKey(venue, BtcUsdt, new DateOnly(2024, 1, 2));
        await db.StringSetAsync(QuoteCacheKeySchema.CloseKeyOf(key)!, "not-a-number");
        var results = new DailyClose?[1];

        // Act
        await cache.GetClosesAsync([key], results, default);

        // Assert
        Assert.Null(results[0]);
    }

    [RedisFact]
    public async Task Cache_RedisDown_FailsOpenLogsOnceReportsDegradedThenRecovers()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync();
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(server.Configuration + ",connectTimeout=500", logger, new FixedTime(Now));
        var close = new DailyClose("binance", BtcUsdt, new DateOnly(2024, 3, 31), 71_333.48m, true);
        var key = new CloseKey("binance", BtcUsdt, close.Date);
        await cache.SetClosesAsync([close], default);

        // Act: Redis goes away; callers keep calling
        server.Kill();
        var misses = new List<DailyClose?>();
        var stored = new List<bool>();
        for (int i = 0; i < 20; i++)
        {
            var results = new DailyClose?[1];
            await cache.GetClosesAsync([key], results, default);
            stored.Add(await cache.TryStoreClosesAsync([close], default));
            await cache.SetCbrRatesAsync([(close.Date, new CbrRate("USD", close.Date, 1, 92m))], default);
            misses.Add(results[0]);
        }

        await Eventually.TrueAsync(() => cache.State == CacheState.Degraded, "the cache notices the outage");
        var stateWhileDown = cache.State;
        await server.StartAsync();
        await Eventually.TrueAsync(() => cache.State == CacheState.Connected, "the cache reports the reconnect");
        await cache.SetClosesAsync([close], default);
        var after = new DailyClose?[1];
        await cache.GetClosesAsync([key], after, default);

        // Assert: (the first calls after the kill may still have been answered before the socket closed)
        Assert.All(misses.Skip(misses.Count / 2), Assert.Null);
        Assert.All(stored.Skip(stored.Count / 2), Assert.False);
        Assert.Equal(CacheState.Degraded, stateWhileDown);
        Assert.Equal(CacheState.Connected, cache.State);
        Assert.Equal(close, after[0]);
        var stateLogs = logger.Entries.Where(e => e.EventId is 4100 or 4101).Select(e => e.EventId).ToArray();
        Assert.Equal([4100, 4101, 4100], stateLogs);
    }

    [RedisFact]
    public async Task Cache_RedisSlow_CallsReturnMissesAtTheTimeoutAndStateDegrades()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync();
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(server.Configuration + ",syncTimeout=200,asyncTimeout=200,allowAdmin=true", logger);
        var results = new CbrRate?[1];
        CbrRateKey[] keys = [new CbrRateKey("USD", new DateOnly(2024, 3, 31))];
        await cache.SetCbrRatesAsync([(keys[0].Date, new CbrRate("USD", keys[0].Date, 1, 92.366m))], default);

        // Act: DEBUG SLEEP is queued first on the cache's own connection, so the server reads the cache's
        // MGET only after sleeping, however loaded the machine is
        var sleep = cache.Connection.GetDatabase().ExecuteAsync("DEBUG", "SLEEP", "2");
        var sw = Stopwatch.StartNew();
        await cache.GetCbrRatesAsync(keys, results, default);
        var elapsed = sw.Elapsed;
        var missWhileSlow = results[0];
        var stateWhileSlow = cache.State;
        await Record.ExceptionAsync(() => sleep); // times out itself (200 ms); its reply is dropped later
        await Eventually.TrueAsync(() =>
        {
            cache.GetCbrRatesAsync(keys, results, default).AsTask().GetAwaiter().GetResult();
            return results[0] is not null;
        }, "the server woke and answers again");

        // Assert: the miss came from the timeout (never earlier; later is possible on a busy machine)
        Assert.Null(missWhileSlow);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(200), "miss after " + elapsed);
        Assert.Equal(CacheState.Degraded, stateWhileSlow);
        Assert.Equal(CacheState.Connected, cache.State);
        Assert.Single(logger.Entries, e => e.EventId == 4101);
    }

    [RedisFact]
    public async Task Cache_CallerBlocksAfterARead_OtherCallersAreNotHeldUp()
    {
        // Arrange: the cache leaves the connection's reader thread before returning, so application code
        // that blocks after a cache call cannot stall the shared connection
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(fixture.Server.Configuration + ",syncTimeout=3000,asyncTimeout=3000", logger, new FixedTime(Now));
        var venue = Venue();
        var close = new DailyClose(venue, BtcUsdt, new DateOnly(2024, 3, 31), 71_333.48m, true);
        await cache.SetClosesAsync([close], default);
        CloseKey[] keys = [new(venue, BtcUsdt, close.Date)];

        // Act: the blocker holds whatever thread its cache call returned on until the 20 reads are done
        using var release = new ManualResetEventSlim();
        using var blocked = new ManualResetEventSlim();
        var blocker = Task.Run(async () =>
        {
            await cache.GetClosesAsync(keys, new DailyClose?[1], default);
            blocked.Set();
            release.Wait(TimeSpan.FromMinutes(1));
        });
        var hits = 0;
        try
        {
            Assert.True(blocked.Wait(TimeSpan.FromSeconds(30)), "the blocker's read did not return");
            for (int i = 0; i < 20; i++)
            {
                var results = new DailyClose?[1];
                await cache.GetClosesAsync(keys, results, default);
                hits += results[0] == close ? 1 : 0;
            }
        }
        finally
        {
            release.Set();
        }

        await blocker;

        // Assert
        Assert.Equal(20, hits);
        Assert.Equal(CacheState.Connected, cache.State);
        Assert.DoesNotContain(logger.Entries, e => e.EventId == 4101);
    }

    [RedisFact]
    public async Task Cache_CallerCancels_CancellationIsThrownNotSwallowed()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        // Act
        var error = await Record.ExceptionAsync(async () =>
            await cache.GetClosesAsync([new CloseKey("binance", BtcUsdt, new DateOnly(2024, 1, 1))], new DailyClose?[1], cts.Token));

        // Assert
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [RedisFact]
    public async Task TryStore_Acknowledged_OtherCachesOnTheServerRaiseTheirChangeEpoch_TheWriterDoesNot()
    {
        // Arrange: two replicas' caches, each on its own multiplexer
        await using var writer = await ConnectedCacheAsync();
        await using var other = await ConnectedCacheAsync();
        await Eventually.TrueAsync(() => other.Detail()["subscriptions"] is long n && n >= 1, "the other cache has subscribed");
        long writerBefore = writer.ChangeEpoch;
        long otherBefore = other.ChangeEpoch;
        var close = new DailyClose(Venue(), BtcUsdt, new DateOnly(2024, 3, 31), 71_333.48m, true);

        // Act
        await writer.SetClosesAsync([close], default); // learnt values: nobody is told
        await Task.Delay(200);
        long otherAfterLearnt = other.ChangeEpoch;
        bool stored = await writer.TryStoreClosesAsync([close], default); // an import's values: everyone is told
        await Eventually.TrueAsync(() => other.ChangeEpoch > otherBefore, "the other cache hears of the change");

        // Assert
        Assert.True(stored);
        Assert.Equal(otherBefore, otherAfterLearnt);
        Assert.Equal(writerBefore, writer.ChangeEpoch);
        Assert.Equal(1, other.ChangesReceived);
    }

    [RedisFact]
    public async Task Detail_Connected_CarriesTheMultiplexersCounters()
    {
        // Arrange
        await using var cache = await ConnectedCacheAsync();
        await cache.GetClosesAsync([new CloseKey(Venue(), BtcUsdt, new DateOnly(2024, 1, 1))], new DailyClose?[1], default);

        // Act
        var detail = cache.Detail();

        // Assert
        Assert.True((bool)detail["connected"]);
        Assert.True((long)detail["operations"] > 0);
        Assert.Equal("primary, standalone", detail["endpoint 127.0.0.1:" + fixture.Server.Port]);
    }

    [Fact]
    public async Task Constructor_RedisUnreachable_ReturnsAtOnceAndReadsMiss()
    {
        // Arrange: nothing listens on port 1; the constructor must not wait for (or fail on) the connection
        await using var cache = new RedisQuoteCache("127.0.0.1:1,connectTimeout=300", new ListLogger<RedisQuoteCache>());
        var results = new DailyClose?[1];

        // Act
        await cache.GetClosesAsync([new CloseKey("binance", BtcUsdt, new DateOnly(2024, 1, 1))], results, default);

        // Assert
        Assert.Null(results[0]);
        Assert.Equal(CacheState.Degraded, cache.State);
    }

    private Task<RedisQuoteCache> ConnectedCacheAsync() =>
        TestClients.ConnectedCacheAsync(fixture.Server.Configuration, new ListLogger<RedisQuoteCache>(), new FixedTime(Now));

    private static async Task<long> TtlAsync(IDatabase db, string key) =>
        (long)(await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds;

    /// <summary>A venue name unique to the test, so tests sharing a server never see each other's keys.</summary>
    private static string Venue() => "v" + Guid.NewGuid().ToString("N")[..10];

    private static string Currency() => "C" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
