using System.Diagnostics;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class DeadlineAndCancellationTests(ServerFixture server)
{
    private const string Run = "/calc.transport.test.Probe/Run";

    [Fact]
    public async Task Deadline_SlowService_DeadlineExceededAndTheServiceTokenFires()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var watch = Stopwatch.StartNew();

        // Act
        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "slow", Millis = 20_000, Id = "deadline-1" },
            [("grpc-timeout", "200m")]);

        // Assert
        Assert.Equal(4, response.GrpcStatus);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.True(await server.State.CancelObserved("deadline-1").WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Deadline_ServiceIgnoresItsToken_StatusStillSentAtTheDeadline()
    {
        using var client = server.CreateHttp2Client();
        var watch = Stopwatch.StartNew();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "ignore-token", Millis = 3_000 }, [("grpc-timeout", "200m")]);

        Assert.Equal(4, response.GrpcStatus);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(2_500), $"took {watch.Elapsed}");
        Assert.Empty(response.Messages);
    }

    [Fact]
    public async Task Deadline_NoClientTimeout_ServerMaximumApplies()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "deadline" });

        Assert.Equal("set", response.Message(ProbeReply.Parser).Text);
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
        // Arrange
        using var client = server.CreateHttp2Client();
        using var cts = new CancellationTokenSource();
        var call = RawGrpc.SendAsync(client,
            RawGrpc.Request(Run, RawGrpc.Frame(new ProbeRequest { Kind = "slow", Millis = 30_000, Id = "cancel-1" })), cts.Token);

        // Act: RST_STREAM(CANCEL) from HttpClient
        await Task.Delay(300);
        await cts.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await server.State.CancelObserved("cancel-1").WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
