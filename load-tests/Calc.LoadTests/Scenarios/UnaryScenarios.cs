using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Calc.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// Scenario 1: GetQuote / GetCbrRate, half and half, over the imported month (warm cache). The .NET client
/// runs a closed loop at <c>--concurrency</c> streams (the peak), then an open loop at half that rate
/// (latency counted from each call's scheduled start, so queueing is not hidden). h2load sends prepared
/// bodies of both methods in two concurrent runs.
/// </summary>
public static partial class UnaryScenarios
{
    public static async Task<IReadOnlyList<ScenarioReport>> DotnetAsync(ServerUnderTest server, Workload workload, ScenarioOptions options, CancellationToken ct)
    {
        int concurrency = options.Int("concurrency", 64, 4);
        var duration = TimeSpan.FromSeconds(options.Double("duration", 10, 1));
        var (quotes, rates) = Requests(workload);
        using var channel = LoadChannel.For(server.GrpcAddress);
        var client = new QuoteService.QuoteServiceClient(channel);
        for (int i = 0; i < quotes.Length; i++)
        {
            await client.GetQuoteAsync(quotes[i], LoadChannel.Call(ct)).ConfigureAwait(false); // warm every key
            await client.GetCbrRateAsync(rates[i], LoadChannel.Call(ct)).ConfigureAwait(false);
        }

        await RunAsync(client, quotes, rates, concurrency, TimeSpan.FromSeconds(Math.Min(2, duration.TotalSeconds)), ct).ConfigureAwait(false);
        var peak = await RunAsync(client, quotes, rates, concurrency, duration, ct, server, "1 unary GetQuote+GetCbrRate peak (.NET client)",
            $"closed loop, {concurrency} streams").ConfigureAwait(false);
        double half = Math.Max(1, options.Double("rate", peak.CallsPerSecond / 2, peak.CallsPerSecond / 2));
        var halfRun = await RunPacedAsync(client, quotes, rates, half, concurrency * 4, duration, ct, server, "1 unary at half of peak (.NET client)",
            string.Create(CultureInfo.InvariantCulture, $"open loop {half:F0} calls/s (1 ms pacer), ≤ {concurrency * 4} in flight")).ConfigureAwait(false);
        return [peak, halfRun];
    }

    private static (GetQuoteRequest[] Quotes, GetCbrRateRequest[] Rates) Requests(Workload workload)
    {
        var series = workload.Series[0];
        var quotes = series.Days.Select(d => new GetQuoteRequest
        {
            Asset = series.Base, QuoteCurrency = series.Quote, Venue = series.Venue, Date = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }).ToArray();
        var rates = series.Days.Select(d => new GetCbrRateRequest { Currency = "USD", Date = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }).ToArray();
        return (quotes, rates);
    }

    /// <summary>Closed loop: <paramref name="concurrency"/> workers, each calling again as soon as its call returns.</summary>
    private static async Task<ScenarioReport> RunAsync(QuoteService.QuoteServiceClient client, GetQuoteRequest[] quotes, GetCbrRateRequest[] rates, int concurrency,
        TimeSpan duration, CancellationToken ct, ServerUnderTest? server = null, string name = "warm-up", string notes = "")
    {
        long next = -1, errors = 0, calls = 0;
        var parts = new Latencies[concurrency];
        var measurement = Measurement.Start(server);
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var latencies = parts[w] = new Latencies();
            while (!ct.IsCancellationRequested && Stopwatch.GetTimestamp() < end)
            {
                long start = Stopwatch.GetTimestamp();
                if (await CallAsync(client, quotes, rates, Interlocked.Increment(ref next), ct).ConfigureAwait(false))
                {
                    latencies.Add(start);
                    Interlocked.Increment(ref calls);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ConfigureAwait(false);
        return measurement.Stop(name, "calls", calls, calls + errors, errors, Latencies.Merge(parts), notes);
    }

    /// <summary>
    /// Open loop: a pacer starts calls at <paramref name="rate"/> per second whatever the answers do (up to
    /// <paramref name="maxInFlight"/> outstanding), so slow answers show as latency rather than as a lower rate.
    /// </summary>
    private static async Task<ScenarioReport> RunPacedAsync(QuoteService.QuoteServiceClient client, GetQuoteRequest[] quotes, GetCbrRateRequest[] rates, double rate,
        int maxInFlight, TimeSpan duration, CancellationToken ct, ServerUnderTest server, string name, string notes)
    {
        long errors = 0, calls = 0, issued = 0;
        var latencies = new Latencies();
        using var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var measurement = Measurement.Start(server);
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long now;
        while ((now = Stopwatch.GetTimestamp()) < end && !ct.IsCancellationRequested)
        {
            long due = (long)((now - start) * rate / Stopwatch.Frequency);
            for (; issued < due; issued++)
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
                long i = issued;
                _ = Task.Run(async () =>
                {
                    long callStart = Stopwatch.GetTimestamp();
                    bool ok = await CallAsync(client, quotes, rates, i, ct).ConfigureAwait(false);
                    lock (latencies)
                    {
                        if (ok)
                        {
                            latencies.Add(callStart);
                            calls++;
                        }
                        else
                        {
                            errors++;
                        }
                    }

                    slots.Release();
                }, ct);
            }

            await Task.Delay(1, ct).ConfigureAwait(false);
        }

        for (int s = 0; s < maxInFlight; s++)
        {
            await slots.WaitAsync(ct).ConfigureAwait(false); // drain
        }

        return measurement.Stop(name, "calls", calls, calls + errors, errors, Latencies.Merge([latencies]), notes);
    }

    private static async Task<bool> CallAsync(QuoteService.QuoteServiceClient client, GetQuoteRequest[] quotes, GetCbrRateRequest[] rates, long i, CancellationToken ct)
    {
        try
        {
            int k = (int)(i / 2 % quotes.Length);
            if (i % 2 == 0)
            {
                var quote = await client.GetQuoteAsync(quotes[k], LoadChannel.Call(ct)).ConfigureAwait(false);
                return quote.Close.Length > 0;
            }

            var cbr = await client.GetCbrRateAsync(rates[k], LoadChannel.Call(ct)).ConfigureAwait(false);
            return cbr.Value.Length > 0;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>
    /// h2load with a prepared gRPC body per method (<c>--h2load-clients</c> connections × <c>--h2load-streams</c>
    /// streams in all, split over the two methods); latencies from its per-request log. h2load checks the HTTP
    /// status only; a failed gRPC status is still counted through the response size check of the .NET run.
    /// </summary>
    public static async Task<IReadOnlyList<ScenarioReport>> H2LoadAsync(ServerUnderTest server, Workload workload, ScenarioOptions options, CancellationToken ct)
    {
        string? h2load = FindOnPath("h2load");
        if (h2load is null)
        {
            Console.Error.WriteLine("h2load not installed (Debian: nghttp2-client); skipping the h2load run");
            return [];
        }

        int clients = Math.Max(2, options.Int("h2load-clients", 4, 2));
        int streams = options.Int("h2load-streams", 32, 8);
        double duration = options.Double("duration", 10, 1);
        var (quotes, rates) = Requests(workload);
        string dir = Directory.CreateTempSubdirectory("calc-h2load-").FullName;
        try
        {
            var bodies = new (string Method, string Body)[]
            {
                ("/calc.v1.QuoteService/GetQuote", Path.Combine(dir, "quote.bin")),
                ("/calc.v1.QuoteService/GetCbrRate", Path.Combine(dir, "rate.bin")),
            };
            await File.WriteAllBytesAsync(bodies[0].Body, Frame(quotes[quotes.Length / 2]), ct).ConfigureAwait(false);
            await File.WriteAllBytesAsync(bodies[1].Body, Frame(rates[rates.Length / 2]), ct).ConfigureAwait(false);
            // --warmup-seconds S: S seconds of the same load first, unmeasured, so that the server's tiered JIT has optimized the
            // call path (a fresh server runs part of it unoptimized for several seconds; a long-running one does not)
            double warmup = options.Double("warmup-seconds", 0, 0);
            if (warmup > 0)
            {
                await RunPairAsync(h2load, server, bodies, dir, clients, streams, warmup, 0, ct).ConfigureAwait(false);
            }

            var peak = await RunPairAsync(h2load, server, bodies, dir, clients, streams, duration, 0, ct).ConfigureAwait(false);
            peak = peak with
            {
                Scenario = "1 unary GetQuote+GetCbrRate peak (h2load)",
                Notes = warmup > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{clients} connections × {streams} streams, prepared bodies; after {warmup:0} s of the same load and h2load's 1 s warm-up")
                    : $"{clients} connections × {streams} streams, prepared bodies; after h2load's own 1 s warm-up",
            };
            // half of the peak: --rps paces each connection
            double half = Math.Max(1, peak.CallsPerSecond / 2);
            int perClient = Math.Max(1, (int)Math.Round(half / clients));
            var halfRun = await RunPairAsync(h2load, server, bodies, dir, clients, streams, duration, perClient, ct).ConfigureAwait(false);
            halfRun = halfRun with
            {
                Scenario = "1 unary at half of peak (h2load)",
                Notes = string.Create(CultureInfo.InvariantCulture, $"--rps {perClient} per connection × {clients} (target {half:F0} calls/s)"),
            };
            return [peak, halfRun];
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Scenario 2 with h2load: RecognizeIncome of one prepared 10,000-receipt request (<c>--batch</c>), framed once,
    /// sent by h2load over <c>--h2load-clients</c> connections with one call in flight each (default 2, as the
    /// .NET batch run). Items are receipts; h2load checks the HTTP status only, so the run is preceded by one
    /// checked call through the .NET client.
    /// </summary>
    public static async Task<IReadOnlyList<ScenarioReport>> BatchH2LoadAsync(ServerUnderTest server, Workload workload, ScenarioOptions options, CancellationToken ct)
    {
        string? h2load = FindOnPath("h2load");
        if (h2load is null)
        {
            Console.Error.WriteLine("h2load not installed (Debian: nghttp2-client); skipping the h2load run");
            return [];
        }

        int batch = options.Int("batch", 10_000, 500);
        int clients = options.Int("h2load-clients", 2, 1);
        double duration = options.Double("duration", 10, 1);
        var request = workload.BatchRequests(batch)[0];
        using (var channel = LoadChannel.For(server.GrpcAddress))
        {
            var answer = await new V1.IncomeService.IncomeServiceClient(channel).RecognizeIncomeAsync(request, LoadChannel.Call(ct)).ConfigureAwait(false);
            int failed = answer.Results.Count(r => r.ResultCase != V1.IncomeResult.ResultOneofCase.Income);
            if (answer.Results.Count != batch || failed > 0)
            {
                throw new InvalidOperationException($"the prepared batch is not fully valued: {answer.Results.Count} results, {failed} errors");
            }
        }

        string dir = Directory.CreateTempSubdirectory("calc-h2load-batch-").FullName;
        try
        {
            string body = Path.Combine(dir, "batch.bin");
            await File.WriteAllBytesAsync(body, Frame(request), ct).ConfigureAwait(false);
            string log = Path.Combine(dir, "log.tsv");
            var measurement = Measurement.Start(server);
            var (ok, failedCalls, latencies) = await RunH2LoadAsync(h2load,
            [
                "-c", clients.ToString(CultureInfo.InvariantCulture), "-m", "1", "-D", duration.ToString(CultureInfo.InvariantCulture),
                "--warm-up-time=2", "-d", body, "--log-file", log, "-H", "content-type: application/grpc", "-H", "te: trailers",
                new Uri(server.GrpcAddress, "/calc.v1.IncomeService/RecognizeIncome").ToString(),
            ], log, ct).ConfigureAwait(false);
            var report = measurement.Stop("2 batch RecognizeIncome (h2load)", "receipts", ok * batch, ok + failedCalls, failedCalls, Latencies.Merge([latencies]),
                $"{batch:N0} receipts per call, {clients} connections × 1 call in flight, one prepared body; after h2load's 2 s warm-up");
            return [report with { Seconds = Math.Max(0.001, report.Seconds - 2) }];
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<ScenarioReport> RunPairAsync(string h2load, ServerUnderTest server, (string Method, string Body)[] bodies, string dir,
        int clients, int streams, double duration, int rps, CancellationToken ct)
    {
        var measurement = Measurement.Start(server);
        var results = await Task.WhenAll(bodies.Select((run, n) =>
        {
            string log = Path.Combine(dir, $"log{n}-{rps}.tsv");
            var args = new List<string>
            {
                "-c", (clients / 2).ToString(CultureInfo.InvariantCulture), "-m", streams.ToString(CultureInfo.InvariantCulture),
                "-D", duration.ToString(CultureInfo.InvariantCulture), "--warm-up-time=1", "-d", run.Body, "--log-file", log,
                "-H", "content-type: application/grpc", "-H", "te: trailers",
            };
            if (rps > 0)
            {
                args.Add($"--rps={rps}");
            }

            args.Add(new Uri(server.GrpcAddress, run.Method).ToString());
            return RunH2LoadAsync(h2load, [.. args], log, ct);
        })).ConfigureAwait(false);
        long ok = results.Sum(r => r.Succeeded);
        long failed = results.Sum(r => r.Failed);
        var report = measurement.Stop("h2load", "calls", ok, ok + failed, failed, Latencies.Merge(results.Select(r => r.Latencies)));
        // h2load's measured phase excludes its warm-up second
        return report with { Seconds = Math.Max(0.001, report.Seconds - 1) };
    }

    internal static async Task<(long Succeeded, long Failed, Latencies Latencies)> RunH2LoadAsync(string h2load, string[] args, string log, CancellationToken ct)
    {
        var info = new ProcessStartInfo(h2load, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        string output = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        var m = RequestsLine().Match(output);
        if (!m.Success)
        {
            throw new InvalidOperationException("unexpected h2load output:\n" + output);
        }

        long succeeded = long.Parse(m.Groups["ok"].Value, CultureInfo.InvariantCulture);
        long failed = long.Parse(m.Groups["failed"].Value, CultureInfo.InvariantCulture) + long.Parse(m.Groups["errored"].Value, CultureInfo.InvariantCulture)
            + long.Parse(m.Groups["timeout"].Value, CultureInfo.InvariantCulture);
        var latencies = new Latencies();
        if (File.Exists(log))
        {
            // each line: start time (µs since epoch) \t HTTP status \t elapsed µs
            foreach (string line in File.ReadLines(log))
            {
                string[] f = line.Split('\t');
                if (f.Length >= 3 && f[1] == "200" && long.TryParse(f[2], CultureInfo.InvariantCulture, out long us))
                {
                    latencies.AddElapsed(TimeSpan.FromMicroseconds(us));
                }
            }
        }

        return (succeeded, failed, latencies);
    }

    internal static byte[] Frame(IMessage message)
    {
        int size = message.CalculateSize();
        var buffer = new byte[5 + size];
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
        message.WriteTo(buffer.AsSpan(5));
        return buffer;
    }

    internal static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (?<ok>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout")]
    private static partial Regex RequestsLine();
}
