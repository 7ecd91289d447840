using System.Net;
using Calc.Client;
using Calc.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Server.Tests;

/// <summary>
/// Calc.Client against a peer that never answers (no headers, no status): the call's own timer must end it
/// as DEADLINE_EXCEEDED, the status a gRPC client reports, and a caller's own cancellation stays a cancellation.
/// </summary>
public sealed class ClientDeadlineTests : IAsyncLifetime
{
    private WebApplication? _silent;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        _silent = builder.Build();
        // resets the stream after the given delay without a status, while the client may still be sending
        _silent.MapPost("/calc.test.Reset/After{ms:int}", async (HttpContext context, int ms) =>
        {
            await Task.Delay(ms, context.RequestAborted).ConfigureAwait(false);
            context.Abort();
        });
        // holds every call until the test ends: a server that neither answers nor sends a status
        _silent.MapPost("/{**path}", async (HttpContext context) =>
        {
            await _release.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        });
        await _silent.StartAsync();
        var addresses = _silent.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        _address = new Uri(addresses.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        if (_silent is not null)
        {
            await _silent.DisposeAsync();
        }
    }

    [Fact]
    public async Task Unary_PeerNeverAnswers_DeadlineExceededNotTaskCanceled()
    {
        using var channel = new GrpcChannel(_address);

        var error = await Assert.ThrowsAsync<CalcRpcException>(() => channel.UnaryAsync("/calc.v1.QuoteService/GetCbrRate",
            new GetCbrRateRequest { Currency = "USD", Date = "2025-03-14" }, CbrRate.Parser, new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal((4, "DEADLINE_EXCEEDED"), (error.StatusCode, error.StatusName()));
    }

    [Fact]
    public async Task ServerStreaming_PeerNeverAnswers_DeadlineExceeded()
    {
        using var channel = new GrpcChannel(_address);

        var error = await Assert.ThrowsAsync<CalcRpcException>(async () =>
        {
            await foreach (var _ in channel.ServerStreamingAsync("/calc.test.Silent/Stream",
                new ListCbrRatesRequest { Currencies = { "USD" } }, ListCbrRatesResponse.Parser, new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }))
            {
            }
        });

        Assert.Equal(4, error.StatusCode);
    }

    [Fact]
    public async Task Duplex_StreamResetAfterTheDeadlineWhileSending_DeadlineExceeded()
    {
        using var channel = new GrpcChannel(_address);

        // the peer resets 400 ms into the call, after its 300 ms timeout and before its own timer (500 ms) normally fires
        var error = await Assert.ThrowsAsync<CalcRpcException>(async () =>
        {
            await foreach (var _ in channel.DuplexStreamingAsync("/calc.test.Reset/After400", SlowRequests(), ListCbrRatesResponse.Parser,
                new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }))
            {
            }
        });

        Assert.Equal(4, error.StatusCode);
    }

    [Fact]
    public async Task Duplex_StreamResetBeforeTheDeadline_NotReportedAsDeadline()
    {
        using var channel = new GrpcChannel(_address);

        // reset after 200 ms of a 60 s call: a failure of its own, never DEADLINE_EXCEEDED
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in channel.DuplexStreamingAsync("/calc.test.Reset/After200", SlowRequests(), ListCbrRatesResponse.Parser,
                new CallOptions { Timeout = TimeSpan.FromSeconds(60) }))
            {
            }
        });

        Assert.False(error is CalcRpcException { StatusCode: 4 }, error.ToString());
    }

    /// <summary>A request every 50 ms for up to 30 s: the client is still sending when the peer resets.</summary>
    private static async IAsyncEnumerable<ListCbrRatesRequest> SlowRequests()
    {
        for (int i = 0; i < 600; i++)
        {
            yield return new ListCbrRatesRequest { Currencies = { "USD" } };
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Unary_CallerCancels_StaysACancellation()
    {
        using var channel = new GrpcChannel(_address);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => channel.UnaryAsync("/calc.v1.QuoteService/GetCbrRate",
            new GetCbrRateRequest { Currency = "USD", Date = "2025-03-14" }, CbrRate.Parser,
            new CallOptions { Timeout = TimeSpan.FromSeconds(60) }, cts.Token));
    }
}
