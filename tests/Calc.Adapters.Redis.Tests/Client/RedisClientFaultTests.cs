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
/// every call ends (value, timeout or connection error), the connection recovers, and no task exception goes
/// unobserved. Phases wait for what they need (calls served, errors seen) rather than for fixed times.
/// </summary>
public sealed class RedisClientFaultTests
{

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
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Ok) >= 200, "200 GETs served before the kill");
        server.Kill();
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.ConnectionErrors) >= 10, "callers see the outage");
        await server.StartAsync();
        await client.WaitUntilConnectedAsync(Eventually.Patience);
        await Preload(client, 500);
        int okAfterRestart = Volatile.Read(ref stats.Ok);
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Ok) >= okAfterRestart + 200, "200 GETs served after the restart");
        await Eventually.TrueAsync(() => { lock (events) { return events.Count > 0 && events[^1].Connected; } }, "the reconnect event");
        await stop.CancelAsync();
        await load.WaitAsync(Eventually.Patience);

        // Assert
        Assert.Equal(0, stats.WrongValues);
        Assert.Equal(0, stats.UnexpectedErrors);
        Assert.Contains(events, e => !e.Connected);
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
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Ok) >= 200, "200 GETs served before the kill");
        var killed = await admin.ExecuteAsync(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
        await reconnected.Task.WaitAsync(Eventually.Patience);
        int okAfterReconnect = Volatile.Read(ref stats.Ok);
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Ok) >= okAfterReconnect + 200, "200 GETs served after the reconnect");
        await stop.CancelAsync();
        await load.WaitAsync(Eventually.Patience);

        // Assert
        Assert.True(killed.IntegerValue >= 1);
        Assert.Equal(0, stats.WrongValues);
        Assert.Equal(0, stats.UnexpectedErrors);
        Assert.Equal("victim", (await victim.ExecuteAsync(["CLIENT", "GETNAME"])).AsString());
        Assert.Empty(unobserved.Collect());
    }

    [RedisFact]
    public async Task ServerSleeping_CallsTimeOut_LateRepliesAreDiscarded_ConnectionStaysUp()
    {
        // Arrange
        using var unobserved = new TestClients.UnobservedTaskExceptions();
        await using var server = await RedisServer.StartNewAsync();
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",syncTimeout=300");
        await Preload(client, 100);
        int disconnects = 0;
        client.ConnectionChanged += e => { if (!e.Connected) { Interlocked.Increment(ref disconnects); } };

        // Act: DEBUG SLEEP goes out first on the same connection, so the server reads the 50 GETs only after
        // it has slept (whatever the machine's load): each must time out on its own, and after the sleep
        // their late replies must be consumed, never handed to later callers
        var sleep = client.ExecuteAsync(["DEBUG", "SLEEP", "2"]).AsTask();
        var during = Enumerable.Range(0, 50).Select(async i =>
        {
            var sw = Stopwatch.StartNew();
            var error = await Record.ExceptionAsync(async () => await client.GetAsync("fault:" + i.ToString(CultureInfo.InvariantCulture)));
            return (error, sw.Elapsed);
        }).ToArray();
        var results = await Task.WhenAll(during).WaitAsync(Eventually.Patience);
        var sleepError = await Record.ExceptionAsync(() => sleep);
        await Eventually.TrueAsync(() => client.PendingReplies == 0, "the late replies are read and dropped");
        var after = await Task.WhenAll(Enumerable.Range(50, 50).Select(async i =>
            (i, value: Encoding.UTF8.GetString((await client.GetAsync("fault:" + i.ToString(CultureInfo.InvariantCulture)))!))));

        // Assert: a timeout never fires early (it may fire late on a busy machine: not asserted)
        Assert.IsType<RedisTimeoutException>(sleepError);
        Assert.All(results, r =>
        {
            Assert.IsType<RedisTimeoutException>(r.error);
            Assert.True(r.Elapsed >= TimeSpan.FromMilliseconds(300), "timed out after " + r.Elapsed);
        });
        Assert.All(after, a => Assert.Equal("v" + a.i.ToString(CultureInfo.InvariantCulture), a.value));
        Assert.True(client.IsConnected);
        Assert.Equal(0, disconnects);
        Assert.Empty(unobserved.Collect());
    }

    [RedisFact]
    public async Task CallerCancelsWhileReplyPending_GetsCancellation_LateReplyIsDiscarded()
    {
        // Arrange: a long timeout, so only the cancellation can end the call
        await using var server = await RedisServer.StartNewAsync();
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",syncTimeout=60000");
        await Preload(client, 3);
        using var cancel = new CancellationTokenSource();

        // Act: the server sleeps on a command queued before ours on the same connection, so ours is pending
        var sleep = client.ExecuteAsync(["DEBUG", "SLEEP", "1"]).AsTask();
        var cancelled = client.GetAsync("fault:1", cancel.Token).AsTask();
        await cancel.CancelAsync();
        var cancelError = await Record.ExceptionAsync(() => cancelled);
        await sleep.WaitAsync(Eventually.Patience);
        var next = await client.GetAsync("fault:2");

        // Assert
        Assert.IsAssignableFrom<OperationCanceledException>(cancelError);
        Assert.Equal("v2", Encoding.UTF8.GetString(next!));
        Assert.Equal(0, client.PendingReplies);
    }

    [RedisFact]
    public async Task ServerDownAtStart_CommandsFailFast_ThenClientConnectsWhenServerAppears()
    {
        // Arrange
        await using var server = RedisServer.CreateStopped();
        var options = RedisOptions.Parse(server.Configuration + ",connectTimeout=500");
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        await using var client = RedisClient.Start(options); // returns although nothing listens yet
        await Eventually.TrueAsync(() => client.LastError is not null, "the first connect attempt fails");

        // Act: fail fast = the call is already over when it returns (no wait for a timeout)
        var ping = client.PingAsync();
        bool failedSynchronously = ping.IsCompleted;
        var error = await Record.ExceptionAsync(async () => await ping);
        await server.StartAsync();
        await client.WaitUntilConnectedAsync(Eventually.Patience);

        // Assert
        Assert.True(failedSynchronously);
        Assert.Contains("not connected", Assert.IsType<RedisConnectionException>(error).Message, StringComparison.Ordinal);
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
        await client.WaitUntilConnectedAsync(Eventually.Patience);
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionChanged += e => { if (!e.Connected) { lost.TrySetResult(e.Error); } };

        // Act
        var first = await Record.ExceptionAsync(async () => await client.GetAsync("a"));
        var second = await Record.ExceptionAsync(async () => await client.GetAsync("b"));
        var reasonSeen = await lost.Task.WaitAsync(Eventually.Patience);

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
            }
        })));

    private sealed class LoadStats
    {
        public int Ok;
        public int WrongValues;
        public int ConnectionErrors;
        public int Timeouts;
        public int UnexpectedErrors;
    }
}
