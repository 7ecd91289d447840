using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class DeadlineAndCancellationTests(ServerFixture server)
{
    private const string Run = "/calc.transport.test.Probe/Run";

    // generous: a signal the server sends at once can still take seconds on a loaded CI machine
    private static readonly TimeSpan Signal = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deadline_SlowService_DeadlineExceededAndTheServiceTokenFires()
    {
        // Arrange: the service would sleep 40 s (past the 30 s we wait below) unless its token fires
        using var client = server.CreateHttp2Client();

        // Act
        var (_, id) = await ServiceReached.WithDeadlineAsync(server.State, "deadline",
            id => RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "slow", Millis = 40_000, Id = id }, [("grpc-timeout", "200m")]),
            response => Assert.Equal(4, response.GrpcStatus));

        // Assert: DEADLINE_EXCEEDED (a finished sleep would be OK "slept") and the service saw its token cancelled
        Assert.True(await server.State.CancelObserved(id).WaitAsync(Signal));
    }

    [Fact]
    public async Task Deadline_ServiceIgnoresItsToken_StatusStillSentAtTheDeadline()
    {
        using var client = server.CreateHttp2Client();

        // the service ignores its token and stays blocked until the test opens its gate
        var (response, id) = await ServiceReached.WithDeadlineAsync(server.State, "ignore-token",
            id => RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "ignore-token", Millis = 60_000, Id = id }, [("grpc-timeout", "200m")]),
            response => Assert.Equal(4, response.GrpcStatus));
        var serviceFinishedBeforeTheStatus = server.State.Finished(id).IsCompleted;
        server.State.OpenGate(id);

        // the whole response (status in the trailers) arrived while the service was still blocked
        Assert.False(serviceFinishedBeforeTheStatus);
        Assert.Empty(response.Messages);
        await server.State.Finished(id).WaitAsync(Signal);
    }

    [Fact]
    public async Task Deadline_NoClientTimeout_ServerMaximumApplies()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "deadline" });

        Assert.Equal("set", response.Message(ProbeReply.Parser).Text);
    }

    [Fact]
    public async Task Deadline_ClientTimeoutLongerThanServerMaximum_ClampedToTheMaximum()
    {
        // Arrange: a server whose maximum deadline is 2 s; the client asks for 10 minutes and the service would
        // sleep 10 minutes unless its token fires. The HttpClient gives up after 30 s, so only the server maximum
        // can end this call in time.
        var max = TimeSpan.FromSeconds(2);
        await using var own = await OwnServer.StartAsync(o => o.MaxDeadline = max);
        using var client = own.CreateHttp2Client();
        var sent = new Dictionary<string, (DateTime Before, DateTime After)>();

        // Act
        var (_, id) = await ServiceReached.WithDeadlineAsync(own.State, "clamp",
            async id =>
            {
                var before = DateTime.UtcNow;
                var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "slow", Millis = 600_000, Id = id },
                    [("grpc-timeout", "10M")]);
                sent[id] = (before, DateTime.UtcNow);
                return response;
            },
            response => Assert.Equal(4, response.GrpcStatus));

        // Assert: the service saw its token fire, and the deadline it was given was the server maximum from the
        // moment the call arrived (between sending and the answer), not the client's 10 minutes
        Assert.True(await own.State.CancelObserved(id).WaitAsync(Signal));
        var deadline = Assert.NotNull(own.State.DeadlineSeen(id));
        var (before, after) = sent[id];
        Assert.InRange(deadline, before + max, after + max);
    }

    [Fact]
    public async Task Deadline_MalformedTimeout_Internal()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest(), [("grpc-timeout", "1.5S")]);

        Assert.Equal(13, response.GrpcStatus);
    }

    [Fact]
    public async Task Cancel_ClientResetsStream_ServiceTokenFires()
    {
        // Arrange: a slow call (no client timeout; the server maximum is 60 s, the sleep 50 s) that reached the service
        using var client = server.CreateHttp2Client();
        using var cts = new CancellationTokenSource();
        var call = RawGrpc.SendAsync(client,
            RawGrpc.Request(Run, RawGrpc.Frame(new ProbeRequest { Kind = "slow", Millis = 50_000, Id = "cancel-1" })), cts.Token);
        await server.State.Started("cancel-1").WaitAsync(Signal);

        // Act: RST_STREAM(CANCEL) from HttpClient
        await cts.CancelAsync();

        // Assert: only the reset can cancel the token within the 30 s waited (neither the sleep nor the maximum deadline has passed)
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await server.State.CancelObserved("cancel-1").WaitAsync(Signal));
    }
}
