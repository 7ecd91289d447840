using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Tests.Infrastructure;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>
/// Faults against a real redis-server: killed mid-load and restarted, CLIENT KILL, DEBUG SLEEP, down at
/// startup, and a fake server that sends garbage. Invariants: no caller ever gets another caller's reply,
/// no call outlives its timeout, the connection recovers, and no task exception goes unobserved.
/// </summary>
public sealed class RedisClientFaultTests
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(700);

    [RedisFact]
    public async Task ServerKilledMidLoadThenRestarted_CallersGetOwnValuesOrErrors_AndClientRecovers()
    {
        // Arrange
        using var unobserved = new TestClients.UnobservedTaskExceptions();
        await using var server = await RedisServer.StartNewAsync();
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",syncTimeout=500", o => o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200));
        await Preload(client, 500);
        var events = new List<RedisConnectionEvent>();
        client.ConnectionChanged += e => { lock (events) { events.Add(e); } };
        var stats = new LoadStats();
        using var stop = new CancellationTokenSource();

        // Act
        var load = RunLoad(client, 32, 500, stats, stop.Token);
        await Task.Delay(400);
        server.Kill();
        await Task.Delay(400);
        await server.StartAsync();
        await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(5));
        await Preload(client, 500);
        await Task.Delay(300);
        await stop.CancelAsync();
        await load;

        // Assert
        Assert.Equal(0, stats.WrongValues);
        Assert.Equal(0, stats.UnexpectedErrors);
        Assert.True(stats.Slowest < client.Options.CommandTimeout + Slack, "slowest call " + stats.Slowest);
        Assert.True(stats.Ok > 0 && stats.ConnectionErrors > 0, $"ok {stats.Ok}, connection errors {stats.ConnectionErrors}");
        Assert.Contains(events, e => !e.Connected);
        Assert.True(events[^1].Connected);
        Assert.Equal("v7", Encoding.UTF8.GetString((await client.GetAsync("fault:7"))!));
        Assert.Empty(unobserved.Collect());
    }

    [RedisFact]
    public async Task ClientKilledByServer_PendingCallersFail_AndConnectionComesBack()
    {
        // Arrange
        using var unobserved = new TestClients.UnobservedTaskExceptions();
        await using var server = await RedisServer.StartNewAsync();
        await using var victim = await TestClients.ConnectAsync(server.Configuration + ",name=victim,syncTimeout=500");
        await using var admin = await TestClients.ConnectAsync(server.Configuration + ",name=admin");
        await Preload(victim, 200);
        var stats = new LoadStats();
        using var stop = new CancellationTokenSource();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool dropped = false;
        victim.ConnectionChanged += e =>
        {
            if (!e.Connected)
            {
                dropped = true;
            }
            else if (dropped)
            {
                reconnected.TrySetResult();
            }
        };

        // Act
        var load = RunLoad(victim, 16, 200, stats, stop.Token);
        await Task.Delay(200);
        var killed = await admin.ExecuteAsync(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        await stop.CancelAsync();
        await load;

        // Assert
        Assert.True(killed.IntegerValue >= 1);
        Assert.Equal(0, stats.WrongValues);
        Assert.Equal(0, stats.UnexpectedErrors);
        Assert.True(stats.Slowest < victim.Options.CommandTimeout + Slack, "slowest call " + stats.Slowest);
        Assert.Equal("victim", (await victim.ExecuteAsync(["CLIENT", "GETNAME"])).AsString());
        Assert.Empty(unobserved.Collect());
    }

    [RedisFact]
    public async Task ServerSleeping_CallsTimeOutOnTime_LateRepliesAreDiscarded_ConnectionStaysUp()
    {
        // Arrange
        using var unobserved = new TestClients.UnobservedTaskExceptions();
        await using var server = await RedisServer.StartNewAsync();
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",syncTimeout=300");
        await using var admin = await TestClients.ConnectAsync(server.Configuration + ",syncTimeout=5000");
        await Preload(client, 100);
        int disconnects = 0;
        client.ConnectionChanged += e => { if (!e.Connected) { Interlocked.Increment(ref disconnects); } };

        // Act: the server blocks 3 s (margin for a loaded CI machine, where the pause below can stretch past a
        // second); 50 calls (and one cancelled call) are sent while it sleeps
        var sleep = admin.ExecuteAsync(["DEBUG", "SLEEP", "3"]).AsTask();
        await Task.Delay(100);
        using var cancel = new CancellationTokenSource();
        var cancelled = client.GetAsync("fault:1", cancel.Token).AsTask();
        await cancel.CancelAsync(); // while its reply is pending (the server sleeps)
        var during = Enumerable.Range(0, 50).Select(async i =>
        {
            var sw = Stopwatch.StartNew();
            var error = await Record.ExceptionAsync(async () => await client.GetAsync("fault:" + i.ToString(CultureInfo.InvariantCulture)));
            return (error, sw.Elapsed);
        }).ToArray();
        var results = await Task.WhenAll(during);
        var cancelError = await Record.ExceptionAsync(() => cancelled);
        await sleep;
        var after = await Task.WhenAll(Enumerable.Range(50, 50).Select(async i =>
            (i, value: Encoding.UTF8.GetString((await client.GetAsync("fault:" + i.ToString(CultureInfo.InvariantCulture)))!))));

        // Assert
        Assert.All(results, r =>
        {
            Assert.IsType<RedisTimeoutException>(r.error);
            Assert.InRange(r.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(300) + Slack);
        });
        Assert.IsAssignableFrom<OperationCanceledException>(cancelError);
        Assert.All(after, a => Assert.Equal("v" + a.i.ToString(CultureInfo.InvariantCulture), a.value));
        Assert.True(client.IsConnected);
        Assert.Equal(0, disconnects);
        Assert.Empty(unobserved.Collect());
    }

    [RedisFact]
    public async Task ServerDownAtStart_CommandsFailFast_ThenClientConnectsWhenServerAppears()
    {
        // Arrange
        await using var server = RedisServer.CreateStopped();
        var options = RedisOptions.Parse(server.Configuration + ",connectTimeout=500");
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        var started = Stopwatch.StartNew();
        await using var client = RedisClient.Start(options);
        var startCost = started.Elapsed;
        await Task.Delay(200);

        // Act
        var sw = Stopwatch.StartNew();
        var error = await Record.ExceptionAsync(async () => await client.PingAsync());
        var failCost = sw.Elapsed;
        await server.StartAsync();
        await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(5));

        // Assert
        Assert.True(startCost < TimeSpan.FromMilliseconds(200), "start took " + startCost);
        Assert.Contains("not connected", Assert.IsType<RedisConnectionException>(error).Message, StringComparison.Ordinal);
        Assert.True(failCost < TimeSpan.FromMilliseconds(100), "fail-fast took " + failCost);
        Assert.Equal("PONG", await client.PingAsync());
    }

    [Theory]
    [InlineData("?garbage\r\n", "invalid RESP")]
    [InlineData("$2\r\nabcd\r\n", "invalid RESP")]
    [InlineData("$5\r\nab", "closed the connection")] // truncated, then the server hangs up
    [InlineData("+first\r\n+unsolicited\r\n", "no command pending")]
    public async Task ServerSendsInvalidReplies_ConnectionDroppedCleanly_CallersGetConnectionErrors(string wire, string reason)
    {
        // Arrange: a fake server that answers the first command with the given bytes
        using var unobserved = new TestClients.UnobservedTaskExceptions();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            // one connection only: a client that reconnects at once (the dropped connection lived long enough to
            // count as stable) must find nobody listening, or the kernel would accept it and IsConnected race
            listener.Stop();
            var buffer = new byte[1024];
            int n = await socket.ReceiveAsync(buffer);
            Assert.True(n > 0);
            await socket.SendAsync(Encoding.ASCII.GetBytes(wire));
            await Task.Delay(1000);
        });
        var options = RedisOptions.Parse("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + ",protocol=resp2,syncTimeout=5000");
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(10);
        await using var client = RedisClient.Start(options);
        await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(5));
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionChanged += e => { if (!e.Connected) { lost.TrySetResult(e.Error); } };

        // Act
        var sw = Stopwatch.StartNew();
        var first = await Record.ExceptionAsync(async () => await client.GetAsync("a"));
        var second = await Record.ExceptionAsync(async () => await client.GetAsync("b"));
        var reasonSeen = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // Assert
        if (reason == "no command pending")
        {
            Assert.Null(first); // "+first" is a valid reply to GET a; the extra reply breaks the stream
        }
        else
        {
            Assert.Contains(reason, Assert.IsType<RedisConnectionException>(first).Message, StringComparison.Ordinal);
        }

        Assert.IsType<RedisConnectionException>(second);
        Assert.Contains(reason, reasonSeen!.Message, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), "took " + sw.Elapsed);
        Assert.False(client.IsConnected);
        await serve;
        Assert.Empty(unobserved.Collect());
    }

    private static async Task Preload(RedisClient client, int count)
    {
        var batch = new RedisBatch();
        for (int i = 0; i < count; i++)
        {
            batch.Add("SET", "fault:" + i.ToString(CultureInfo.InvariantCulture), "v" + i.ToString(CultureInfo.InvariantCulture));
        }

        await client.ExecuteAsync(batch);
    }

    /// <summary>Callers loop GETs of preloaded keys; a value must be the key's own value or absent (after a restart).</summary>
    private static Task RunLoad(RedisClient client, int callers, int keys, LoadStats stats, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            int i = c;
            while (!stop.IsCancellationRequested)
            {
                int k = i++ % keys;
                var sw = Stopwatch.StartNew();
                try
                {
                    var got = await client.GetAsync("fault:" + k.ToString(CultureInfo.InvariantCulture));
                    if (got is not null && Encoding.UTF8.GetString(got) != "v" + k.ToString(CultureInfo.InvariantCulture))
                    {
                        Interlocked.Increment(ref stats.WrongValues);
                    }

                    Interlocked.Increment(ref stats.Ok);
                }
                catch (RedisConnectionException)
                {
                    Interlocked.Increment(ref stats.ConnectionErrors);
                    await Task.Delay(5);
                }
                catch (RedisTimeoutException)
                {
                    Interlocked.Increment(ref stats.Timeouts);
                }
#pragma warning disable CA1031 // counted and asserted zero
                catch (Exception)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref stats.UnexpectedErrors);
                }

                stats.Observe(sw.Elapsed);
            }
        })));

    private sealed class LoadStats
    {
        public int Ok;
        public int WrongValues;
        public int ConnectionErrors;
        public int Timeouts;
        public int UnexpectedErrors;
        private long _slowestTicks;

        public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

        public void Observe(TimeSpan elapsed)
        {
            long t = elapsed.Ticks, seen;
            while (t > (seen = Interlocked.Read(ref _slowestTicks)) && Interlocked.CompareExchange(ref _slowestTicks, t, seen) != seen)
            {
            }
        }
    }
}
