using System.Globalization;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Xunit.Abstractions;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>
/// The cache on a real Redis Cluster (3 primaries with a replica each) and a real Sentinel deployment (primary,
/// replica, 3 sentinels), both from Debian's redis-server on loopback: a batch spanning many series (many slots, so
/// many nodes) works without CROSSSLOT, and a primary killed or failed over mid-run never yields a wrong answer —
/// only misses while the topology changes — after which the cache serves everything again.
/// </summary>
public sealed class RedisTopologyTests(ITestOutputHelper output)
{
    private const int SeriesCount = 40;
    private const int Days = 30;

    [RedisFact]
    public async Task Cluster_BatchSpanningManySeries_EveryValueRoundTrips_NoCommandRejected()
    {
        // Arrange
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(cluster.Configuration, logger);
        var closes = Closes("cluster");

        // Act
        bool stored = await cache.TryStoreClosesAsync(closes, default);
        var results = new DailyClose?[closes.Length];
        await cache.GetClosesAsync(closes.Select(Key).Reverse().ToArray(), results, default);
        var keysPerNode = new List<long>();
        foreach (var node in cluster.Nodes)
        {
            keysPerNode.Add(long.Parse((await RedisCluster.CliAsync(node, "DBSIZE")).Output.Trim(), CultureInfo.InvariantCulture));
        }

        // Assert
        Assert.True(stored);
        Assert.Equal(closes.Reverse(), results);
        Assert.DoesNotContain(logger.Entries, e => e.EventId is 4101 or 4102);
        Assert.All(keysPerNode, n => Assert.True(n > 0, "a primary holds none of the series: " + string.Join(",", keysPerNode)));
        Assert.Equal(closes.Length, keysPerNode.Sum());
    }

    [RedisFact]
    public async Task Cluster_PrimaryKilledMidRun_NoWrongAnswer_CacheServesEverythingAfterTheFailover()
    {
        // Arrange
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 1);
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(cluster.Configuration + ",syncTimeout=2000,asyncTimeout=2000", logger);
        var closes = Closes("failover");
        Assert.True(await cache.TryStoreClosesAsync(closes, default));
        await WaitForReplicationAsync(cluster);
        var load = BatchLoad.Start(cache, closes);

        // Act: kill a primary under load; its replica takes over after the node timeout
        await load.WaitForFullBatchesAsync(5);
        var primaries = await cluster.PrimaryPortsAsync();
        var victim = cluster.Nodes.First(n => n.Port == primaries[0]);
        victim.Kill();
        IReadOnlyList<int> after = primaries;
        await Eventually.TrueAsync(() => !(after = cluster.PrimaryPortsAsync().GetAwaiter().GetResult()).Contains(victim.Port) && after.Count == 3,
            "a replica takes over the killed primary's slots");
        await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60));
        int fullAtFailover = load.FullBatches;
        await load.WaitForFullBatchesAsync(fullAtFailover + 5);
        await load.StopAsync();
        output.WriteLine($"cluster primary {victim.Port} killed: {load}; primaries before {string.Join(",", primaries)}, after {string.Join(",", after)}");

        // Assert
        Assert.Equal(0, load.Wrong);
        Assert.Equal(0, load.Thrown);
        Assert.DoesNotContain(victim.Port, after);
        Assert.Equal(3, after.Count);
    }

    [RedisFact]
    public async Task Sentinel_FailoverMidRun_NoWrongAnswer_CacheFollowsTheNewPrimary()
    {
        // Arrange
        await using var sentinels = await RedisSentinelSet.StartAsync();
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(sentinels.Configuration + ",syncTimeout=2000,asyncTimeout=2000", logger);
        var closes = Closes("sentinel");
        Assert.True(await cache.TryStoreClosesAsync(closes, default));
        await WaitForReplicationAsync(sentinels.Replica);
        var load = BatchLoad.Start(cache, closes);

        // Act
        await load.WaitForFullBatchesAsync(5);
        await sentinels.FailoverAsync();
        int newPrimary = await sentinels.PrimaryPortAsync();
        int fullAtFailover = load.FullBatches;
        await load.WaitForFullBatchesAsync(fullAtFailover + 5);
        // writes reach the new primary: the old one is a read-only replica now
        var fresh = new DailyClose("sentinel-after", new AssetPair("BTC", "USDT"), new DateOnly(2024, 3, 31), 71_333.48m, true);
        // (a write the old primary acknowledged while being demoted is lost with its data set: harmless for a cache)
        string onNewPrimary = "";
        await Eventually.TrueAsync(() =>
        {
            bool taken = cache.TryStoreClosesAsync([fresh], default).AsTask().GetAwaiter().GetResult();
            onNewPrimary = RedisCluster.CliAsync(sentinels.Replica, "GET", QuoteCacheKeySchema.CloseKeyOf(Key(fresh))!).GetAwaiter().GetResult().Output.Trim();
            return taken && onNewPrimary.Length > 0;
        }, "writes reach the new primary after the failover");
        await load.StopAsync();
        output.WriteLine($"sentinel failover {sentinels.Primary.Port} -> {newPrimary}: {load}");

        // Assert
        Assert.Equal(sentinels.Replica.Port, newPrimary);
        Assert.Equal("71333.48", onNewPrimary);
        Assert.Equal(0, load.Wrong);
        Assert.Equal(0, load.Thrown);
    }

    private static async Task WaitForReplicationAsync(RedisCluster cluster)
    {
        var primaries = await cluster.PrimaryPortsAsync();
        foreach (var replica in cluster.Nodes.Where(n => !primaries.Contains(n.Port)))
        {
            await WaitForReplicationAsync(replica);
        }
    }

    /// <summary>Waits until <paramref name="replica"/> holds every key of its primary (WAIT would need the primary's connection).</summary>
    private static async Task WaitForReplicationAsync(RedisServer replica)
    {
        var deadline = DateTime.UtcNow + Eventually.Patience;
        while (true)
        {
            var info = (await RedisCluster.CliAsync(replica, "INFO", "replication")).Output;
            string Field(string name) => info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..] ?? "";
            if (Field("master_link_status") == "up" && Field("master_sync_in_progress") == "0")
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("replica " + replica.Port + " never caught up: " + info);
            }

            await Task.Delay(100);
        }
    }

    private static DailyClose[] Closes(string venue) =>
        [.. Enumerable.Range(0, SeriesCount * Days).Select(i =>
            new DailyClose(venue, new AssetPair("S" + (i % SeriesCount).ToString(CultureInfo.InvariantCulture), "USDT"), new DateOnly(2023, 1, 1).AddDays(i / SeriesCount), 100m + i + 0.25m, true))];

    private static CloseKey Key(DailyClose c) => new(c.Venue, c.Pair, c.Date);

    /// <summary>Two callers reading the whole set in batches of 200 keys; every value is checked.</summary>
    private sealed class BatchLoad
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;
        private int _full;
        private int _partial;
        private int _wrong;
        private int _thrown;

        public int FullBatches => Volatile.Read(ref _full);

        public int Wrong => Volatile.Read(ref _wrong);

        public int Thrown => Volatile.Read(ref _thrown);

        public static BatchLoad Start(RedisQuoteCache cache, DailyClose[] closes)
        {
            var load = new BatchLoad();
            load._run = Task.WhenAll(Enumerable.Range(0, 2).Select(c => Task.Run(() => load.RunAsync(cache, closes, c))));
            return load;
        }

        public Task WaitForFullBatchesAsync(int count) =>
            Eventually.TrueAsync(() => FullBatches >= count, $"{count} batches answered entirely from Redis ({this})");

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run;
        }

        public override string ToString() => $"{_full} full batches, {_partial} with misses, {_wrong} wrong values, {_thrown} thrown";

        private async Task RunAsync(RedisQuoteCache cache, DailyClose[] closes, int caller)
        {
            int offset = caller * 100;
            while (!_stop.IsCancellationRequested)
            {
                var batch = Enumerable.Range(0, 200).Select(j => closes[(offset + j) % closes.Length]).ToArray();
                offset += 200;
                var results = new DailyClose?[batch.Length];
                try
                {
                    await cache.GetClosesAsync(batch.Select(Key).ToArray(), results, default);
                }
#pragma warning disable CA1031 // counted and asserted zero
                catch (Exception)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref _thrown);
                    continue;
                }

                int misses = 0;
                for (int j = 0; j < batch.Length; j++)
                {
                    if (results[j] is null)
                    {
                        misses++;
                    }
                    else if (results[j] != batch[j])
                    {
                        Interlocked.Increment(ref _wrong);
                    }
                }

                Interlocked.Increment(ref misses == 0 ? ref _full : ref _partial);
                await Task.Delay(5);
            }
        }
    }
}
