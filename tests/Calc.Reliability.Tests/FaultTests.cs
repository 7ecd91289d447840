using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Calc.Reliability.Tests.Infrastructure;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;
using Xunit.Abstractions;

namespace Calc.Reliability.Tests;

/// <summary>
/// Upstream faults against a real server process: the CBR and Binance fakes answer 500, 429, garbage, truncated
/// bodies or hang past the timeout. For each: no wrong answer (an answer is the real figure or an error), an
/// error with a reason while the data is missing, recovery once the upstream is back, no requests left open.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{

    private static readonly UpstreamMode[] Faults =
        [UpstreamMode.Http500, UpstreamMode.Http429, UpstreamMode.Garbage, UpstreamMode.Truncated, UpstreamMode.Hang];

    private static readonly string[] UpstreamReasons = ["UPSTREAM_UNAVAILABLE", "UPSTREAM_INVALID_RESPONSE"];

    [Fact]
    public async Task UpstreamFaults_EveryFault_ErrorWithReason_NoWrongAnswer_RecoversNoLeaks()
    {
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        await using var server = await CalcProcess.StartAsync(Upstreams(cbr, binance));
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        var before = server.Sample();
        var table = new List<string> { "| upstream | fault | during the fault | elapsed | after recovery | recovery |", "|---|---|---|---|---|---|" };

        for (int i = 0; i < Faults.Length; i++)
        {
            var date = FaultyUpstream.Dates[i];
            string rate = FaultyUpstream.UsdRates[date];
            string price = (decimal.Parse(FaultyUpstream.BtcCloses[date], CultureInfo.InvariantCulture) * decimal.Parse(rate, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
            table.Add(await FaultRowAsync("CBR", cbr, Faults[i], () => Rate(client, date), rate));
            table.Add(await FaultRowAsync("Binance", binance, Faults[i], () => Quote(client, date), price));
        }

        await WaitUntilAsync(() => cbr.OpenRequests == 0 && binance.OpenRequests == 0, TimeSpan.FromSeconds(30));
        // a closed connection leaves the descriptor table a moment later: wait until the count is in bound (or 30 s)
        var after = await SampleWhenAsync(server, s => s.Sockets <= before.Sockets + 4);
        output.WriteLine(string.Join('\n', table));
        output.WriteLine($"server before: {before}; after: {after}; upstream calls: CBR {cbr.Calls}, Binance {binance.Calls}");


        Assert.Equal(0, cbr.OpenRequests);
        Assert.Equal(0, binance.OpenRequests);
        // one pooled connection per upstream at most may stay open; a leak per failed request would be ~28 more
        Assert.InRange(after.Sockets, 0, before.Sockets + 4);
    }

    [Fact]
    public async Task UpstreamFault_BatchAcrossMonths_MissingDataIsPerItemErrorOthersExact()
    {
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        await using var server = await CalcProcess.StartAsync(Upstreams(cbr, binance));
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        binance.Mode = UpstreamMode.Http500;
        var batch = new BatchGetQuotesRequest();
        batch.Requests.Add(new GetQuoteRequest { Id = "imported", Asset = "BTC", Venue = "binance", Date = "2025-03-16" });
        batch.Requests.Add(new GetQuoteRequest { Id = "upstream-down", Asset = "BTC", Venue = "binance", Date = "2025-06-05" });
        batch.Requests.Add(new GetQuoteRequest { Id = "imported-coinbase", Asset = "BTC", Venue = "coinbase", QuoteCurrency = "USD", Date = "2025-03-16" });

        var response = await client.Quotes.BatchGetQuotesAsync(batch).ResponseAsync;
        binance.Mode = UpstreamMode.Ok;
        var clock = Stopwatch.StartNew();
        var recovered = await client.Quotes.BatchGetQuotesAsync(batch).ResponseAsync;
        while (recovered.Results[1].Error is not null && clock.Elapsed < RecoveryLimit)
        {
            await Task.Delay(100);
            recovered = await client.Quotes.BatchGetQuotesAsync(batch).ResponseAsync;
        }

        output.WriteLine($"recovered after {clock.Elapsed.TotalSeconds:0.00} s");

        Assert.Equal("7065852.987382", response.Results[0].Quote.PriceRub);
        Assert.Equal(("UNAVAILABLE", "UPSTREAM_UNAVAILABLE"), (response.Results[1].Error.Code, response.Results[1].Error.Reason));
        Assert.Equal(82562.57m * 85.5694m, decimal.Parse(response.Results[2].Quote.PriceRub, CultureInfo.InvariantCulture));
        Assert.Equal(101508.68m * 78.5025m, decimal.Parse(recovered.Results[1].Quote.PriceRub, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task HungUpstream_ClientDeadline_DeadlineExceededPromptly_ServerUnharmed()
    {
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        // one attempt of 10 s: the hung request stays open for 10 s, so an answer that came while it was open did not
        // wait for Calc's upstream timeout
        var environment = Upstreams(cbr, binance);
        environment["MarketData__Upstreams__Cbr__Timeout"] = "00:00:10";
        environment["MarketData__Upstreams__Cbr__MaxAttempts"] = "1";
        await using var server = await CalcProcess.StartAsync(environment);
        using var channel = RpcChannel.For(server.GrpcAddress);
        using var h2 = Wire.NewH2Client();
        var client = new CalcClients(channel);
        cbr.Mode = UpstreamMode.Hang;
        var before = server.Sample();
        var clock = Stopwatch.StartNew();

        // a raw call with grpc-timeout 300m and no timer of its own: what is observed is the server's answer (a gRPC client
        // also ends the call locally at its deadline, which a loaded machine can reach before the server's status arrives)
        var deadline = await Wire.GrpcAsync(h2, server.GrpcAddress, "calc.v1.QuoteService/GetCbrRate", Wire.Frame(Request(FaultyUpstream.Dates[0]).ToByteArray()),
            [new("grpc-timeout", "300m")]);
        var (calls, open) = (cbr.Calls, cbr.OpenRequests);
        var deadlineElapsed = clock.Elapsed;
        // Calc's own upstream timeout ends the hung request
        await WaitUntilAsync(() => cbr.OpenRequests == 0, TimeSpan.FromSeconds(30));
        cbr.Mode = UpstreamMode.Ok;
        Assert.False(server.HasExited, Tail(server));
        var answer = await RecoveredAsync(() => client.Quotes.GetCbrRateAsync(Request(FaultyUpstream.Dates[0])).ResponseAsync, RecoveryLimit);
        var after = await SampleWhenAsync(server, s => s.Sockets <= before.Sockets + 4);
        output.WriteLine($"deadline answered after {deadlineElapsed.TotalMilliseconds:0} ms ({calls} upstream calls, {open} open); server before {before}, after {after}");

        Assert.Equal("DEADLINE_EXCEEDED", deadline.Status);
        // promptly: no upstream request had ended (timed out) when the deadline was answered
        Assert.Equal(calls, open);
        Assert.Equal(0, cbr.OpenRequests);
        Assert.Equal("98.5336", answer.Value);
        Assert.InRange(after.Sockets, 0, before.Sockets + 4);
    }

    [Theory]
    [InlineData("99999999H", null)]  // the spec's largest deadline: clamped to Grpc:MaxDeadline
    [InlineData(null, "00:00:00.4")] // no deadline: Grpc:DefaultDeadline
    public async Task HungUpstream_DeadlineClampedOrDefaulted_DeadlineExceededAtTheServersBound(string? grpcTimeout, string? defaultDeadline)
    {
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        var environment = Upstreams(cbr, binance);
        environment["MarketData__Upstreams__Cbr__Timeout"] = "00:00:10";
        environment["MarketData__Upstreams__Cbr__MaxAttempts"] = "1";
        environment["Grpc__MaxDeadline"] = "00:00:00.4";
        if (defaultDeadline is not null)
        {
            environment["Grpc__DefaultDeadline"] = defaultDeadline;
        }

        await using var server = await CalcProcess.StartAsync(environment);
        using var h2 = Wire.NewH2Client();
        cbr.Mode = UpstreamMode.Hang;
        var clock = Stopwatch.StartNew();

        var outcome = await Wire.GrpcAsync(h2, server.GrpcAddress, "calc.v1.QuoteService/GetCbrRate", Wire.Frame(Request(FaultyUpstream.Dates[0]).ToByteArray()),
            grpcTimeout is null ? [] : [new("grpc-timeout", grpcTimeout)]);
        var elapsed = clock.Elapsed;
        output.WriteLine($"grpc-timeout {grpcTimeout ?? "(none)"}, MaxDeadline 0.4 s, DefaultDeadline {defaultDeadline ?? "(none)"}: {outcome.Status} after {elapsed.TotalMilliseconds:0} ms");

        Assert.Equal("DEADLINE_EXCEEDED", outcome.Status);
        // the server's bound ended it, long before the upstream's own 10 s timeout
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(8));
        cbr.Mode = UpstreamMode.Ok;
        Assert.False(server.HasExited, Tail(server));
    }

    [Fact]
    public async Task HungUpstream_ClientCancelsCallsWithDeadlines_ServerUnharmed_UpstreamRequestsReleased()
    {
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        await using var server = await CalcProcess.StartAsync(Upstreams(cbr, binance));
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        cbr.Mode = UpstreamMode.Hang;
        var before = server.Sample();

        for (int i = 0; i < 20; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100 + (i * 10)));
            var options = new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(150), cancellationToken: cts.Token);
            Assert.NotNull(await Record.ExceptionAsync(() => client.Quotes.GetCbrRateAsync(Request(FaultyUpstream.Dates[i % 7]), options).ResponseAsync));
        }

        await WaitUntilAsync(() => cbr.OpenRequests == 0, TimeSpan.FromSeconds(30));
        cbr.Mode = UpstreamMode.Ok;
        Assert.False(server.HasExited, Tail(server));
        // a fetch begun during the outage (its retry included) may still answer UNAVAILABLE; recovery is
        // the first exact answer
        var answer = await RecoveredAsync(() => client.Quotes.GetCbrRateAsync(Request(FaultyUpstream.Dates[0])).ResponseAsync, RecoveryLimit);
        var after = await SampleWhenAsync(server, s => s.Sockets <= before.Sockets + 4);

        Assert.Equal(0, cbr.OpenRequests);
        Assert.Equal("98.5336", answer.Value);
        Assert.InRange(after.Sockets, 0, before.Sockets + 4);
    }

    private static async Task<T> RecoveredAsync<T>(Func<Task<T>> call, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusName() == "UNAVAILABLE" && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
        }
    }

    private static string Tail(ServerProcess server) => server.Output[^Math.Min(server.Output.Length, 4000)..];

    [Fact]
    public async Task ClientDisconnectsMidStream_ServerKeepsServing_NoLeakedDescriptorsOrThreads()
    {
        await using var server = await CalcProcess.StartAsync();
        var receipt = new MiningReceipt { Asset = "BTC", Amount = "0.05", ReceivedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)) };
        using (var warm = RpcChannel.For(server.GrpcAddress))
        {
            await Consume(new CalcClients(warm), receipt, chunks: 2, CancellationToken.None);
        }

        // the warm-up connection is closed: wait until the server's socket count stops moving
        var before = await StableSampleAsync(server);
        for (int i = 0; i < 30; i++)
        {
            // a fresh connection each time, dropped mid-stream (RST_STREAM + connection close)
            using var channel = RpcChannel.For(server.GrpcAddress);
            using var cts = new CancellationTokenSource();
            var call = Consume(new CalcClients(channel), receipt, chunks: 1_000, cts.Token, cancelAfterChunks: 3, cts);
            await Assert.ThrowsAnyAsync<Exception>(() => call);
        }

        using var last = RpcChannel.For(server.GrpcAddress);
        var summary = await Consume(new CalcClients(last), receipt, chunks: 5, CancellationToken.None);
        // dropped connections and idle pool threads go away a moment (threads: up to the pool's idle timeout) later;
        // a leak never does
        var after = await SampleWhenAsync(server, s => s.Sockets <= before.Sockets + 2 && s.Threads <= before.Threads + 10, TimeSpan.FromSeconds(60));
        output.WriteLine($"before {before}; after 30 dropped streams {after}");

        Assert.Equal(500, summary.ReceiptCount);
        Assert.InRange(after.Sockets, 0, before.Sockets + 2);
        Assert.InRange(after.Threads, 0, before.Threads + 10);
    }

    private async Task<string> FaultRowAsync(string name, FaultyUpstream upstream, UpstreamMode fault, Func<Task<string>> call, string expected)
    {
        upstream.Mode = fault;
        var clock = Stopwatch.StartNew();
        string during = await Outcome(call);
        var faultElapsed = clock.Elapsed;
        upstream.Mode = UpstreamMode.Ok;
        clock.Restart();
        string recovered = during;
        while (clock.Elapsed < RecoveryLimit)
        {
            recovered = await Outcome(call);
            if (recovered == expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        var recovery = clock.Elapsed;

        // zero wrong answers: a value is only ever the real figure; otherwise an error with an upstream reason
        Assert.True(during == expected || UpstreamReasons.Any(r => during.EndsWith(r, StringComparison.Ordinal)), $"{name} {fault}: {during}");
        // bounded by Calc's own upstream timeout and retries (a hung upstream would otherwise hold the call forever)
        Assert.InRange(faultElapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal(expected, recovered);
        return $"| {name} | {fault} | {during} | {faultElapsed.TotalSeconds:0.00} s | {recovered} | {recovery.TotalSeconds:0.00} s |";
    }

    private static async Task<string> Outcome(Func<Task<string>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            return $"{e.StatusName()} {RpcAssert.ReasonOf(e)}";
        }
    }

    private static async Task<string> Rate(CalcClients client, DateOnly date) => (await client.Quotes.GetCbrRateAsync(Request(date)).ResponseAsync).Value;

    private static async Task<string> Quote(CalcClients client, DateOnly date)
    {
        var quote = await client.Quotes.GetQuoteAsync(new GetQuoteRequest { Asset = "BTC", Venue = "binance", Date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }).ResponseAsync;
        return decimal.Parse(quote.PriceRub, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static GetCbrRateRequest Request(DateOnly date) => new() { Currency = "USD", Date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };

    private static Dictionary<string, string> Upstreams(FaultyUpstream cbr, FaultyUpstream binance) => new()
    {
        ["MarketData__Upstreams__Cbr__Enabled"] = "true",
        ["MarketData__Upstreams__Cbr__BaseUrl"] = cbr.BaseUrl.ToString(),
        ["MarketData__Upstreams__Cbr__Timeout"] = "00:00:01",
        ["MarketData__Upstreams__Cbr__MaxAttempts"] = "2",
        ["MarketData__Upstreams__Cbr__BaseRetryDelay"] = "00:00:00.05",
        ["MarketData__Upstreams__Cbr__MaxRetryDelay"] = "00:00:02",
        ["MarketData__Upstreams__Binance__Enabled"] = "true",
        ["MarketData__Upstreams__Binance__BaseUrl"] = binance.BaseUrl.ToString(),
        ["MarketData__Upstreams__Binance__Timeout"] = "00:00:01",
        ["MarketData__Upstreams__Binance__MaxAttempts"] = "2",
        ["MarketData__Upstreams__Binance__BaseRetryDelay"] = "00:00:00.05",
        ["MarketData__Upstreams__Binance__MaxRetryDelay"] = "00:00:02",
        ["MarketData__Sync__Enabled"] = "false",
    };

    private static async Task<IncomeStreamSummary> Consume(CalcClients client, MiningReceipt template, int chunks, CancellationToken token,
        int cancelAfterChunks = -1, CancellationTokenSource? cts = null)
    {
        IncomeStreamSummary? summary = null;
        int seen = 0;
        await foreach (var r in client.StreamRecognizeIncomeAsync(Requests(template, chunks), cancellationToken: token))
        {
            if (r.Results is not null && ++seen == cancelAfterChunks)
            {
                await cts!.CancelAsync();
            }

            summary = r.Summary ?? summary;
        }

        return summary ?? throw new InvalidOperationException("no summary");
    }

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Requests(MiningReceipt template, int chunks)
    {
        yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy() };
        for (int c = 0; c < chunks; c++)
        {
            var chunk = new ReceiptChunk();
            for (int i = 0; i < 100; i++)
            {
                var receipt = template.Clone();
                receipt.Id = $"c{c}-{i}";
                chunk.Receipts.Add(receipt);
            }

            yield return new RecognizeIncomeStreamRequest { Receipts = chunk };
            await Task.Yield();
        }
    }

    /// <summary>How long recovery after a fault may take on a loaded CI machine before the test calls it a failure.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);

    /// <summary>A sample of the server once <paramref name="done"/> holds for it, or the last one after the timeout (30 s).</summary>
    private static async Task<ProcessSample> SampleWhenAsync(ServerProcess server, Func<ProcessSample, bool> done, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var sample = server.Sample();
        while (!done(sample) && clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
        {
            await Task.Delay(200);
            sample = server.Sample();
        }

        return sample;
    }

    /// <summary>A sample once the socket count was the same for 1 s (or after 10 s).</summary>
    private static async Task<ProcessSample> StableSampleAsync(ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        var sample = server.Sample();
        var unchanged = Stopwatch.StartNew();
        while (unchanged.Elapsed < TimeSpan.FromSeconds(1) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
            var next = server.Sample();
            if (next.Sockets != sample.Sockets)
            {
                unchanged.Restart();
            }

            sample = next;
        }

        return sample;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
    }
}
