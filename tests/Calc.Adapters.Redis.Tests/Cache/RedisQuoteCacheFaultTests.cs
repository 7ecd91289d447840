using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Ports;
using Calc.Domain.Quotes;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>
/// Faults under the cache, against a real redis-server (killed mid-load and restarted, CLIENT KILL) and a fake
/// server that answers garbage. Invariants: every read is the key's own value or a miss, never another key's;
/// no call throws; the cache recovers by itself; no task exception goes unobserved.
/// </summary>
public sealed class RedisQuoteCacheFaultTests
{
    private const int Series = 8;
    private const int Days = 50;
    private static readonly DateOnly Start = new(2023, 1, 1);

    [RedisFact]
    public async Task ServerKilledMidLoadThenRestarted_ReadsAreOwnValuesOrMisses_AndCacheRecovers()
    {
        // Arrange
        using var unobserved = new UnobservedTaskExceptions();
        await using var server = await RedisServer.StartNewAsync();
        await using var cache = await TestClients.ConnectedCacheAsync(server.Configuration + ",syncTimeout=2000,asyncTimeout=2000", new ListLogger<RedisQuoteCache>());
        var closes = Closes();
        Assert.True(await cache.TryStoreClosesAsync(closes, default));
        var stats = new LoadStats();
        using var stop = new CancellationTokenSource();
        var load = RunLoad(cache, closes, stats, stop.Token);

        // Act
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Hits) > 20, "hits before the kill");
        server.Kill();
        await Eventually.TrueAsync(() => cache.State == CacheState.Degraded, "the cache notices the outage");
        // the state can flip before a read in flight at the kill has ended: wait for reads to be answered (as misses)
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Misses) > 0, "reads answered as misses while Redis is down");
        int missesAtRestart = Volatile.Read(ref stats.Misses);
        await server.StartAsync(); // empty: the values must be written again
        await Eventually.TrueAsync(() => cache.State == CacheState.Connected, "the cache reconnects");
        await Eventually.TrueAsync(() => cache.TryStoreClosesAsync(closes, default).AsTask().GetAwaiter().GetResult(), "writes are taken again");
        int hitsAfterRewrite = Volatile.Read(ref stats.Hits);
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Hits) > hitsAfterRewrite + 20, "hits after the restart");
        await stop.CancelAsync();
        await load;

        // Assert
        Assert.Equal(0, stats.Wrong);
        Assert.Equal(0, stats.Thrown);
        Assert.True(missesAtRestart > 0, "no read was answered as a miss while Redis was down");
        Assert.Empty(unobserved.Collect());
    }

    [RedisFact]
    public async Task ClientKilledByServer_ReadsMissAtWorst_AndTheConnectionComesBack()
    {
        // Arrange
        using var unobserved = new UnobservedTaskExceptions();
        await using var server = await RedisServer.StartNewAsync();
        await using var cache = await TestClients.ConnectedCacheAsync(server.Configuration + ",name=calc-victim", new ListLogger<RedisQuoteCache>());
        await using var probe = await TestClients.ProbeAsync(server.Configuration);
        var closes = Closes();
        Assert.True(await cache.TryStoreClosesAsync(closes, default));
        var stats = new LoadStats();
        using var stop = new CancellationTokenSource();
        var load = RunLoad(cache, closes, stats, stop.Token);

        // Act
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Hits) > 20, "hits before CLIENT KILL");
        var killed = await probe.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        int hitsAfterKill = Volatile.Read(ref stats.Hits);
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Hits) > hitsAfterKill + 50, "hits after the kill");
        await Eventually.TrueAsync(() => cache.State == CacheState.Connected, "the cache reports connected");
        await stop.CancelAsync();
        await load;

        // Assert
        Assert.True((long)killed >= 1, "CLIENT KILL closed no connection");
        Assert.Equal(0, stats.Wrong);
        Assert.Equal(0, stats.Thrown);
        Assert.Empty(unobserved.Collect());
    }

    [Theory]
    [InlineData("?garbage\r\n")]
    [InlineData("$2\r\nabcd\r\n")]
    [InlineData("*3\r\n:1\r\n")]
    public async Task FakeServerAnswersGarbage_ReadsMissWritesAreDropped_StateDegraded_NothingThrows(string wire)
    {
        // Arrange: a fake "Redis" that answers every command with the same invalid bytes, on every connection
        using var unobserved = new UnobservedTaskExceptions();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stopServing = new CancellationTokenSource();
        int commandsSeen = 0;
        var serve = Task.Run(async () =>
        {
            var connections = new List<Task>();
            try
            {
                while (!stopServing.IsCancellationRequested)
                {
                    var socket = await listener.AcceptSocketAsync(stopServing.Token);
                    connections.Add(Task.Run(async () =>
                    {
                        using (socket)
                        {
                            var buffer = new byte[4096];
                            while (await socket.ReceiveAsync(buffer) > 0)
                            {
                                Interlocked.Increment(ref commandsSeen);
                                await socket.SendAsync(Encoding.ASCII.GetBytes(wire));
                            }
                        }
                    }));
                }
            }
            catch (OperationCanceledException)
            {
                // test over
            }
        });
        var logger = new ListLogger<RedisQuoteCache>();

        // Act
        await using var cache = new RedisQuoteCache("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + ",connectTimeout=1000,syncTimeout=500,asyncTimeout=500", logger);
        var closes = Closes();
        var results = new DailyClose?[1];
        await cache.GetClosesAsync([Key(closes[0])], results, default);
        bool stored = await cache.TryStoreClosesAsync(closes, default);
        await cache.SetCbrRatesAsync([(new DateOnly(2024, 1, 1), new CbrRate("USD", new DateOnly(2024, 1, 1), 1, 89.6883m))], default);
        await stopServing.CancelAsync();
        listener.Stop();
        await serve;

        // Assert
        Assert.True(Volatile.Read(ref commandsSeen) > 0, "the fake server was never asked anything");
        Assert.Null(results[0]);
        Assert.False(stored);
        Assert.Equal(CacheState.Degraded, cache.State);
        Assert.Single(logger.Entries, e => e.EventId == 4101);
        Assert.Empty(unobserved.Collect());
    }

    private static DailyClose[] Closes() =>
        [.. Enumerable.Range(0, Series * Days).Select(i =>
            new DailyClose("fault", new AssetPair("S" + (i % Series).ToString(CultureInfo.InvariantCulture), "USDT"), Start.AddDays(i / Series), 100m + i + 0.5m, true))];

    private static CloseKey Key(DailyClose c) => new(c.Venue, c.Pair, c.Date);

    /// <summary>Four callers read batches of 40 keys; each answer must be the key's own close or a miss.</summary>
    private static Task RunLoad(RedisQuoteCache cache, DailyClose[] closes, LoadStats stats, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            int offset = c * 17;
            while (!stop.IsCancellationRequested)
            {
                var batch = Enumerable.Range(0, 40).Select(j => closes[(offset + (j * 7)) % closes.Length]).ToArray();
                offset += 3;
                var results = new DailyClose?[batch.Length];
                try
                {
                    await cache.GetClosesAsync(batch.Select(Key).ToArray(), results, default);
                }
#pragma warning disable CA1031 // counted and asserted zero
                catch (Exception)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref stats.Thrown);
                    continue;
                }

                for (int j = 0; j < batch.Length; j++)
                {
                    if (results[j] is null)
                    {
                        Interlocked.Increment(ref stats.Misses);
                    }
                    else if (results[j] != batch[j])
                    {
                        Interlocked.Increment(ref stats.Wrong);
                    }
                    else
                    {
                        Interlocked.Increment(ref stats.Hits);
                    }
                }

                await Task.Delay(2);
            }
        })));

    private sealed class LoadStats
    {
        public int Hits;
        public int Misses;
        public int Wrong;
        public int Thrown;
    }
}
