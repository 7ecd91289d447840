using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Reliability.Tests;

/// <summary>SIGTERM against a real server: readiness first, then GOAWAY, in-flight streams finish within the grace period.</summary>
public sealed class ShutdownTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Sigterm_MidStream_NotServingFirst_StreamCompletes_NewConnectionsRefused_ExitsZero()
    {
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Shutdown__GracePeriodSeconds"] = "60",
            ["Shutdown__DrainDelaySeconds"] = "5",
        });
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        Assert.Equal("SERVING", await WaitForHealthAsync(channel, "SERVING")); // published from the health checks after startup
        var release = new TaskCompletionSource();
        var firstChunkAnswered = new TaskCompletionSource();
        var stream = ReadAllAsync(client.StreamRecognizeIncomeAsync(Receipts(release.Task)), firstChunkAnswered);
        await firstChunkAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        server.Terminate();
        var readiness = await WaitForHealthAsync(channel, "NOT_SERVING");
        using var health = await Http.GetAsync(new Uri(server.Http1Address, "/health"));
        // after the drain delay the listener closes (GOAWAY on open connections): wait for a fresh connection to be refused
        var refused = await FirstRefusalAsync(server);
        release.SetResult();
        var (results, summary) = await stream.WaitAsync(TimeSpan.FromSeconds(30));
        int exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("NOT_SERVING", readiness);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        // refused by the socket, not answered with a status: grpc-dotnet's UNAVAILABLE carries the connection error
        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(refused).StatusCode);
        Assert.Contains("Connection refused", ((RpcException)refused!).Status.DebugException?.Message ?? "(no debug exception)", StringComparison.Ordinal);
        Assert.Equal(200, results.Count);
        Assert.All(results, r => Assert.Equal(IncomeResult.ResultOneofCase.Income, r.ResultCase));
        Assert.Equal(200, summary.ReceiptCount);
        Assert.Equal(0, summary.ErrorCount);
        // 200 × 0.05 BTC on 2025-03-16 (Moscow) at 82574.53 × 85.5694 = 353292.65 each
        Assert.Equal("70658530.00", Assert.Single(summary.Totals).IncomeRub);
        Assert.Equal(0, exitCode);
        Assert.Contains("readiness NOT_SERVING", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_StreamOutlivesGracePeriod_ProcessStillEnds_ClientGetsAnError()
    {
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string> { ["Shutdown__GracePeriodSeconds"] = "2" });
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        var never = new TaskCompletionSource();
        var firstChunkAnswered = new TaskCompletionSource();
        var stream = ReadAllAsync(client.StreamRecognizeIncomeAsync(Receipts(never.Task)), firstChunkAnswered);
        await firstChunkAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();

        server.Terminate();
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var error = await Record.ExceptionAsync(() => stream.WaitAsync(TimeSpan.FromSeconds(30)));

        // the grace period was granted (not cut short); the never-ending stream did not keep the process alive
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(60));
        Assert.NotNull(error);
        Assert.IsNotType<TimeoutException>(error);
        never.SetResult();
    }

    [Fact]
    public async Task Sigterm_WithHealthWatchOpen_WatcherSeesNotServing_ProcessEndsWithinGrace()
    {
        // a grace period far longer than the 30 s waited below: ending within it means the watch did not hold the process
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string> { ["Shutdown__GracePeriodSeconds"] = "90" });
        using var channel = RpcChannel.For(server.GrpcAddress);
        Assert.Equal("SERVING", await WaitForHealthAsync(channel, "SERVING"));
        var seen = new List<Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus>();
        var serving = new TaskCompletionSource();
        var watch = Task.Run(async () =>
        {
            // no deadline: the watch is meant to stay open until the server resets it; the test bounds it by WaitAsync below
            using var call = new Grpc.Health.V1.Health.HealthClient(channel).Watch(new Grpc.Health.V1.HealthCheckRequest());
            await foreach (var r in call.ResponseStream.ReadAllAsync())
            {
                lock (seen)
                {
                    seen.Add(r.Status);
                }

                serving.TrySetResult();
            }
        });
        await serving.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();

        server.Terminate();
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var exited = clock.Elapsed;
        await Record.ExceptionAsync(() => watch.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, seen[0]);
        Assert.Contains(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, seen);
        // the watch ends once NOT_SERVING went out (Grpc.AspNetCore.HealthChecks ends open watches when stopping
        // begins), so it does not hold the process for the 90 s grace period
        Assert.InRange(exited, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    private static async Task<string> WaitForHealthAsync(Grpc.Net.Client.GrpcChannel channel, string wanted)
    {
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        string last = "";
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                var response = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                last = response.Status switch
                {
                    Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
                    Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
                    var other => other.ToString(),
                };
                if (last == wanted)
                {
                    return last;
                }
            }
            catch (RpcException e)
            {
                last = e.StatusName(); // e.g. UNAVAILABLE once the listener closed
            }

            await Task.Delay(50);
        }

        return last;
    }

    /// <summary>
    /// Calls over fresh connections until one is refused (the listener closed); calls before that are served (the
    /// drain delay). Null when no call was refused within 30 s.
    /// </summary>
    private static bool IsRefusedBySocket(Exception? error) =>
        error is RpcException { StatusCode: StatusCode.Unavailable } rpc
        && (rpc.Status.DebugException?.Message ?? "").Contains("Connection refused", StringComparison.Ordinal);

    private static async Task<Exception?> FirstRefusalAsync(ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        // a connection the kernel accepted while the listener was closing ends without the HTTP/2 handshake ("could not
        // be established"): the socket refusal comes with the next attempt
        while (!IsRefusedBySocket(error) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            error = await Record.ExceptionAsync(async () =>
            {
                using var fresh = RpcChannel.For(server.GrpcAddress);
                await new CalcClients(fresh).Quotes.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }).ResponseAsync;
            });
            if (!IsRefusedBySocket(error))
            {
                await Task.Delay(100);
            }
        }

        return error;
    }

    /// <summary>The policy, one chunk of 100 receipts, then (after <paramref name="release"/>) another 100.</summary>
    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Receipts(Task release)
    {
        yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy() };
        yield return Chunk(0);
        await release;
        yield return Chunk(100);
    }

    private static RecognizeIncomeStreamRequest Chunk(int first)
    {
        var chunk = new ReceiptChunk();
        for (int i = first; i < first + 100; i++)
        {
            chunk.Receipts.Add(new MiningReceipt
            {
                Id = $"r{i}",
                Asset = "BTC",
                Amount = "0.05",
                ReceivedAt = Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)),
            });
        }

        return new RecognizeIncomeStreamRequest { Receipts = chunk };
    }

    private static async Task<(List<IncomeResult> Results, IncomeStreamSummary Summary)> ReadAllAsync(
        IAsyncEnumerable<RecognizeIncomeStreamResponse> responses, TaskCompletionSource firstChunk)
    {
        var results = new List<IncomeResult>();
        IncomeStreamSummary? summary = null;
        await foreach (var r in responses)
        {
            if (r.Results is { } chunk)
            {
                results.AddRange(chunk.Results);
                firstChunk.TrySetResult();
            }

            summary = r.Summary ?? summary;
        }

        return (results, summary ?? throw new InvalidOperationException("no summary"));
    }
}
