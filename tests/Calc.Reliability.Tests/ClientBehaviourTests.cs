using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calc.Reliability.Tests;

/// <summary>
/// What callers relied on from the retired Calc.Client, proven of Grpc.Net.Client against peers that misbehave:
/// a call whose deadline passed ends as DEADLINE_EXCEEDED (also when the peer never answers, and when the peer
/// resets a duplex call while the client is still sending after the deadline), a reset before the deadline is
/// not reported as a deadline, a caller's cancellation stays a cancellation, and a refused connection is a clear
/// UNAVAILABLE naming the cause.
/// </summary>
public sealed class ClientBehaviourTests : IAsyncLifetime
{
    private WebApplication? _peer;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        _peer = builder.Build();
        // resets the stream after the given delay without a status, while the client may still be sending
        _peer.MapPost("/calc.v1.IncomeService/StreamRecognizeIncome", async (HttpContext context) =>
        {
            int ms = int.Parse(context.Request.Headers["x-reset-after-ms"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(ms, context.RequestAborted);
            context.Abort();
        });
        // holds every other call until the test ends: a peer that neither answers nor sends a status
        _peer.MapPost("/{**path}", async (HttpContext context) => await _release.Task.WaitAsync(context.RequestAborted));
        await _peer.StartAsync();
        _address = new Uri(_peer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }

    [Fact]
    public async Task Unary_PeerNeverAnswers_DeadlineExceeded()
    {
        using var channel = RpcChannel.For(_address);
        var client = new QuoteService.QuoteServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-03-14" },
            deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        Assert.Equal((StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED"), (error.StatusCode, error.StatusName()));
    }

    [Fact]
    public async Task Duplex_StreamResetAfterTheDeadlineWhileSending_DeadlineExceeded()
    {
        using var channel = RpcChannel.For(_address);

        // the peer resets 400 ms into a call with a 300 ms deadline, while the client still sends a request every 50 ms
        var error = await Assert.ThrowsAsync<RpcException>(() => SendSlowlyAsync(channel, resetAfterMs: 400, TimeSpan.FromMilliseconds(300)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Duplex_StreamResetBeforeTheDeadline_NotReportedAsDeadline()
    {
        using var channel = RpcChannel.For(_address);

        // reset after 200 ms of a 60 s call: a failure of its own, never DEADLINE_EXCEEDED
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SendSlowlyAsync(channel, resetAfterMs: 200, TimeSpan.FromSeconds(60)));

        Assert.False(error is RpcException { StatusCode: StatusCode.DeadlineExceeded }, error.ToString());
        Assert.True(error is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled }, error.ToString());
    }

    [Fact]
    public async Task Unary_CallerCancels_StaysACancellation()
    {
        using var channel = RpcChannel.For(_address);
        var client = new QuoteService.QuoteServiceClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-03-14" },
            deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cts.Token).ResponseAsync);

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Unary_NothingListening_UnavailableNamingTheRefusedConnection()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = RpcChannel.For(new Uri($"http://127.0.0.1:{port}"));
        var client = new QuoteService.QuoteServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-03-14" },
            deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        // "Error connecting to subchannel." with the socket error as the debug exception (what the CLI prints)
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("Connection refused", error.Status.DebugException?.Message ?? "(no debug exception)", StringComparison.Ordinal);
    }

    private static async Task SendSlowlyAsync(GrpcChannel channel, int resetAfterMs, TimeSpan deadline)
    {
        var client = new IncomeService.IncomeServiceClient(channel);
        using var call = client.StreamRecognizeIncome(new Metadata { { "x-reset-after-ms", resetAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            DateTime.UtcNow + deadline);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        });
        await foreach (var request in SlowRequests())
        {
            await call.RequestStream.WriteAsync(request);
        }

        await reading;
    }

    /// <summary>A request every 50 ms for up to 30 s: the client is still sending when the peer resets.</summary>
    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> SlowRequests([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < 600; i++)
        {
            yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy() };
            await Task.Delay(50, cancellationToken);
        }
    }
}
