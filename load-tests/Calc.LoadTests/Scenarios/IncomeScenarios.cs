using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Calc.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Calc.LoadTests.Scenarios;

/// <summary>Scenarios 2–4: unary batches over gRPC, the month-end stream, and 1C-sized Connect JSON batches.</summary>
public static class IncomeScenarios
{
    /// <summary>Scenario 2: RecognizeIncome with <c>--batch</c> receipts per call, <c>--calls</c> calls, <c>--concurrency</c> in flight.</summary>
    public static async Task<ScenarioReport> BatchAsync(ServerUnderTest server, Workload workload, ScenarioOptions options, CancellationToken ct)
    {
        int batch = options.Int("batch", 10_000, 500);
        int calls = options.Int("calls", 600, 4); // 6,000,000 receipts: seconds long, so the tiered JIT and the GC have settled
        int concurrency = options.Int("concurrency", 2, 2);
        bool lean = options.String("client") == "lean";
        var requests = workload.BatchRequests(batch);
        // the lean client sends each request's bytes as prepared once (as h2load sends prepared bodies)
        var prepared = lean ? requests.Select(PreparedRequest.From).ToArray() : [];
        using var channel = LoadChannel.For(server.GrpcAddress);
        var client = new IncomeService.IncomeServiceClient(channel);
        var invoker = channel.CreateCallInvoker();
        int warmup = options.Int("warmup", 20, 1);
        for (int i = 0; i < warmup * requests.Count; i++)
        {
            // warm: tiered JIT reaches its optimised code, caches and pools fill (both paths, whichever is measured)
            if (lean)
            {
                await invoker.AsyncUnaryCall(LeanMethods.RecognizeIncome, null, LoadChannel.Call(ct), prepared[i % requests.Count]).ConfigureAwait(false);
            }
            else
            {
                await client.RecognizeIncomeAsync(requests[i % requests.Count], LoadChannel.Call(ct)).ConfigureAwait(false);
            }
        }

        int next = -1;
        long errors = 0, receipts = 0;
        var parts = new Latencies[concurrency];
        var measurement = Measurement.Start(server);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var latencies = parts[w] = new Latencies();
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                var request = requests[i % requests.Count];
                long start = Stopwatch.GetTimestamp();
                try
                {
                    if (lean)
                    {
                        var counted = await invoker.AsyncUnaryCall(LeanMethods.RecognizeIncome, null, LoadChannel.Call(ct), prepared[i % requests.Count])
                            .ConfigureAwait(false);
                        latencies.Add(start);
                        Interlocked.Add(ref errors, counted.Errors + (counted.Results == request.Receipts.Count && counted.Incomes == counted.Results ? 0 : 1));
                        Interlocked.Add(ref receipts, counted.Results);
                        continue;
                    }

                    var response = await client.RecognizeIncomeAsync(request, LoadChannel.Call(ct)).ConfigureAwait(false);
                    latencies.Add(start);
                    Interlocked.Add(ref errors, ItemErrors(response.Results, request.Receipts.Count));
                    Interlocked.Add(ref receipts, response.Results.Count);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ConfigureAwait(false);
        return measurement.Stop(lean ? "2 batch RecognizeIncome (gRPC, lean .NET client: prepared requests, counted results)" : "2 batch RecognizeIncome (gRPC, .NET client)",
            "receipts", receipts, calls, errors, Latencies.Merge(parts),
            $"{batch:N0}/call, {concurrency} in flight, {workload.PricePoints} (asset, day) points");
    }

    /// <summary>Scenario 3: one StreamRecognizeIncome of <c>--receipts</c> receipts in chunks of <c>--chunk</c>.</summary>
    public static async Task<ScenarioReport> StreamAsync(ServerUnderTest server, Workload workload, ScenarioOptions options, CancellationToken ct)
    {
        int total = options.Int("receipts", 1_000_000, 20_000);
        int chunkSize = options.Int("chunk", 10_000, 2_000);
        var (policy, series) = workload.Policies()[0];
        // a few distinct chunks, resent: ids need only be unique within a chunk
        var chunks = Enumerable.Range(0, 4).Select(c =>
        {
            var chunk = new ReceiptChunk();
            chunk.Receipts.AddRange(Workload.Receipts(series, chunkSize, $"m{c}-"));
            return new RecognizeIncomeStreamRequest { Receipts = chunk };
        }).ToArray();
        int chunkCount = (total + chunkSize - 1) / chunkSize;
        bool lean = options.String("client") == "lean";
        // --stream-attempts N (> 1): a lost stream is resumed (the CLI's ResumableIncomeStream), e.g. while a replica of
        // the topology is killed; default 1: a failure ends the run and is counted
        int attempts = options.Int("stream-attempts", 1, 1);

        using var channel = LoadChannel.For(server.GrpcAddress);
        var client = new IncomeService.IncomeServiceClient(channel);
        var preparedPolicy = PreparedRequest.From(new RecognizeIncomeStreamRequest { Policy = policy });
        var preparedChunks = chunks.Select(PreparedRequest.From).ToArray();
        int resumes = 0;
        var resume = Calc.Cli.Hosting.StreamResumePolicy.Default with { MaxAttempts = attempts };
        void OnResume(Calc.Cli.Hosting.StreamResume r)
        {
            Interlocked.Increment(ref resumes);
            Console.Error.WriteLine($"stream lost ({r.Cause.StatusCode}: {r.Cause.Status.Detail}); resuming from chunk {r.FromChunk} in {r.Delay.TotalMilliseconds:F0} ms");
        }

        // through a balancer (--target) the stream must not run ahead of its answers (StreamFlow): the resumable client
        // keeps it within the budget; against a server started here the plain client writes every chunk at once, as before
        bool flowControlled = attempts > 1 || options.String("target") is not null;
        if (lean && flowControlled)
        {
            throw new ArgumentException("the lean client writes every chunk at once: through a balancer (--target) use the full client");
        }

        Func<int, Task<(long, long, TimeSpan)>> run = lean
            ? n => RunLeanStreamAsync(channel, preparedPolicy, preparedChunks, n, ct)
            : n => RunStreamAsync(client, policy, chunks, n, flowControlled ? resume : null, OnResume, ct);
        await run(options.Int("warmup", 100, 2)).ConfigureAwait(false); // warm-up (chunks)
        resumes = 0;

        var measurement = Measurement.Start(server);
        long start = Stopwatch.GetTimestamp();
        var (results, errors, firstChunk) = await run(chunkCount).ConfigureAwait(false);
        var latency = new Latencies();
        latency.Add(start);
        long expected = (long)chunkCount * chunkSize;
        return measurement.Stop(lean ? "3 month-end StreamRecognizeIncome (gRPC duplex, lean client)" : "3 month-end StreamRecognizeIncome (gRPC duplex)", "receipts", results, 1,
            errors + (results == expected ? 0 : 1), Latencies.Merge([latency]),
            $"{chunkCount} chunks × {chunkSize:N0}; first results after {firstChunk.TotalMilliseconds:F0} ms; p50 = whole stream"
            + (attempts > 1 ? $"; resumed {resumes} time(s)" : ""));
    }

    private static async Task<(long Results, long Errors, TimeSpan FirstChunk)> RunStreamAsync(IncomeService.IncomeServiceClient client, ValuationPolicy policy,
        RecognizeIncomeStreamRequest[] chunks, int chunkCount, Calc.Cli.Hosting.StreamResumePolicy? resume, Action<Calc.Cli.Hosting.StreamResume> onResume,
        CancellationToken ct)
    {
        long results = 0, errors = 0;
        long start = Stopwatch.GetTimestamp();
        TimeSpan first = default;
        IAsyncEnumerable<RecognizeIncomeStreamResponse> responses;
        AsyncDuplexStreamingCall<RecognizeIncomeStreamRequest, RecognizeIncomeStreamResponse>? call = null;
        Task sending = Task.CompletedTask;
        if (resume is not null)
        {
            // the run is the chunks cycled: the chunks sent before are produced again the same way
            responses = new Calc.Cli.Hosting.ResumableIncomeStream(o => client.StreamRecognizeIncome(o),
                (sizes, c) => Cycle(chunks, sizes.Count, c), LoadChannel.Stream(ct), resume, onResume)
                .RunAsync(Requests(policy, chunks, chunkCount, ct), ct);
        }
        else
        {
            call = client.StreamRecognizeIncome(LoadChannel.Stream(ct));
            sending = SendAsync(call.RequestStream, new RecognizeIncomeStreamRequest { Policy = policy }, chunks, chunkCount, ct);
            responses = call.ResponseStream.ReadAllAsync(ct);
        }

        using var owned = call;
        await foreach (var response in responses.ConfigureAwait(false))
        {
            if (response.PayloadCase == RecognizeIncomeStreamResponse.PayloadOneofCase.Results)
            {
                if (results == 0)
                {
                    first = Stopwatch.GetElapsedTime(start);
                }

                results += response.Results.Results.Count;
                errors += ItemErrors(response.Results.Results, response.Results.Results.Count);
            }
            else if (response.Summary.ReceiptCount != results || response.Summary.ErrorCount != errors)
            {
                errors++; // the summary disagrees with what was streamed
            }
        }

        await sending.ConfigureAwait(false);
        return (results, errors, first);
    }

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Requests(ValuationPolicy policy, RecognizeIncomeStreamRequest[] chunks, int chunkCount,
        [EnumeratorCancellation] CancellationToken ct)
    {
        yield return new RecognizeIncomeStreamRequest { Policy = policy };
        await foreach (var chunk in Cycle(chunks, chunkCount, ct).ConfigureAwait(false))
        {
            yield return new RecognizeIncomeStreamRequest { Receipts = chunk };
        }
    }

    private static async IAsyncEnumerable<ReceiptChunk> Cycle(RecognizeIncomeStreamRequest[] chunks, int count, [EnumeratorCancellation] CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            yield return chunks[i % chunks.Length].Receipts;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The stream with prepared request bytes and results counted from the wire (the lean client).</summary>
    private static async Task<(long Results, long Errors, TimeSpan FirstChunk)> RunLeanStreamAsync(GrpcChannel channel, PreparedRequest policy,
        PreparedRequest[] chunks, int chunkCount, CancellationToken ct)
    {
        long results = 0, errors = 0;
        long start = Stopwatch.GetTimestamp();
        TimeSpan first = default;
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(LeanMethods.StreamRecognizeIncome, null, LoadChannel.Stream(ct));
        var sending = SendAsync(call.RequestStream, policy, chunks, chunkCount, ct);
        await foreach (var response in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (response.Results is { } counted)
            {
                if (results == 0)
                {
                    first = Stopwatch.GetElapsedTime(start);
                }

                results += counted.Results;
                errors += counted.Errors + (counted.Incomes == counted.Results ? 0 : 1);
            }
            else if (response.Summary is not { } summary || summary.ReceiptCount != results || summary.ErrorCount != errors)
            {
                errors++; // the summary disagrees with what was streamed
            }
        }

        await sending.ConfigureAwait(false);
        return (results, errors, first);
    }

    /// <summary>Writes the policy, then <paramref name="chunkCount"/> chunks (cycling), then completes the request side.</summary>
    private static async Task SendAsync<T>(IClientStreamWriter<T> requests, T policy, T[] chunks, int chunkCount, CancellationToken ct)
    {
        await requests.WriteAsync(policy, ct).ConfigureAwait(false);
        for (int i = 0; i < chunkCount && !ct.IsCancellationRequested; i++)
        {
            await requests.WriteAsync(chunks[i % chunks.Length], ct).ConfigureAwait(false);
        }

        await requests.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Scenario 4: Connect JSON RecognizeIncome over HTTP/1.1, <c>--batch</c> rows (1C-sized), one connection per worker.</summary>
    public static async Task<ScenarioReport> ConnectAsync(ServerUnderTest server, Workload workload, ScenarioOptions options, CancellationToken ct)
    {
        int rows = options.Int("batch", 1_000, 200);
        int calls = options.Int("calls", 300, 4);
        int concurrency = options.Int("concurrency", 4, 2);
        var bodies = workload.BatchRequests(rows).Select(r => System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(r))).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = server.Http1Address,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var uri = new Uri("/calc.v1.IncomeService/RecognizeIncome", UriKind.Relative);
        int warmup = options.Int("warmup", 20, 1);
        for (int i = 0; i < warmup * bodies.Length; i++)
        {
            await PostJsonAsync(http, uri, bodies[i % bodies.Length], rows, ct).ConfigureAwait(false); // warm-up
        }

        int next = -1;
        long errors = 0, receipts = 0;
        var parts = new Latencies[concurrency];
        var measurement = Measurement.Start(server);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var latencies = parts[w] = new Latencies();
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                long start = Stopwatch.GetTimestamp();
                var (ok, itemErrors) = await PostJsonAsync(http, uri, bodies[i % bodies.Length], rows, ct).ConfigureAwait(false);
                latencies.Add(start);
                Interlocked.Add(ref errors, itemErrors);
                Interlocked.Add(ref receipts, ok);
            }
        })).ConfigureAwait(false);
        return measurement.Stop("4 Connect JSON RecognizeIncome (HTTP/1.1)", "receipts", receipts, calls, errors, Latencies.Merge(parts),
            $"{rows:N0} rows/call, {concurrency} connections");
    }

    private static async Task<(long Ok, long Errors)> PostJsonAsync(HttpClient http, Uri uri, byte[] body, int rows, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(uri, content, ct).ConfigureAwait(false);
        byte[] json = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (0, 1);
        }

        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("results", out var results))
        {
            return (0, 1);
        }

        long errors = results.GetArrayLength() == rows ? 0 : 1;
        foreach (var result in results.EnumerateArray())
        {
            if (result.TryGetProperty("error", out _))
            {
                errors++;
            }
        }

        return (results.GetArrayLength(), errors);
    }

    private static long ItemErrors(IList<IncomeResult> results, int expected)
    {
        long errors = results.Count == expected ? 0 : 1;
        foreach (var result in results)
        {
            if (result.ResultCase != IncomeResult.ResultOneofCase.Income)
            {
                errors++;
            }
        }

        return errors;
    }
}
