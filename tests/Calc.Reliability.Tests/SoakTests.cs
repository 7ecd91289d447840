using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;
using Xunit.Abstractions;

namespace Calc.Reliability.Tests;

/// <summary>
/// Soak: a mixed month-end workload at half of the measured peak throughput, with the server's RSS, sockets and
/// threads sampled. CI runs a smoke of CALC_SOAK_SECONDS (default 30); the full run is 10 minutes:
/// <c>CALC_SOAK_SECONDS=600 dotnet test tests/Calc.Reliability.Tests --filter FullyQualifiedName~Soak</c>.
/// Expected: no errors, every answer exact, no growth trend in RSS or sockets after warm-up, no extra threads left once the load stops.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("CALC_SOAK_SECONDS"), out int s) ? s : 30;

    [Fact]
    public async Task Soak_HalfPeakMixedLoad_NoErrorsNoGrowth()
    {
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        using var http = new HttpClient();
        var work = new Workload(client, http, server.Http1Address);

        // peak: closed loop, 8 concurrent callers, 3 s after a 2 s warm-up
        await RunClosedAsync(work, TimeSpan.FromSeconds(2), 8);
        long peakOps = await RunClosedAsync(work, TimeSpan.FromSeconds(3), 8);
        double peak = peakOps / 3.0;
        double target = peak / 2;

        var samples = new List<ProcessSample> { server.Sample() };
        long done = 0;
        long errors = 0;
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(Seconds);
        var sampler = Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, Seconds / 30.0)));
                samples.Add(server.Sample());
            }
        });
        // open loop at the target rate: 8 workers, each paced to target/8 per second
        var workers = Enumerable.Range(0, 8).Select(async w =>
        {
            double interval = 8.0 / target;
            long n = 0;
            while (clock.Elapsed < duration)
            {
                var due = TimeSpan.FromSeconds(n++ * interval);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }

                try
                {
                    await work.OneAsync(w + (int)n);
                    Interlocked.Increment(ref done);
                }
                catch (Exception e) when (e is RpcException or HttpRequestException or InvalidOperationException)
                {
                    Interlocked.Increment(ref errors);
                    output.WriteLine(e.Message);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        await sampler;
        samples.Add(server.Sample());

        var warm = samples.Skip(samples.Count / 3).ToArray();
        var middle = warm.Take(warm.Length / 2).ToArray();
        var last = warm.Skip(warm.Length / 2).ToArray();
        double rssMiddle = middle.Average(s => s.RssBytes) / (1024 * 1024);
        double rssLast = last.Average(s => s.RssBytes) / (1024 * 1024);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak {peak:0} ops/s, target {target:0} ops/s, achieved {done / clock.Elapsed.TotalSeconds:0} ops/s over {clock.Elapsed.TotalSeconds:0} s; {done} ops, {errors} errors"));
        output.WriteLine($"start {samples[0]}; end {samples[^1]}; warm RSS mean: middle {rssMiddle:0.0} MiB, last {rssLast:0.0} MiB");
        output.WriteLine(string.Join('\n', samples.Select(s => $"{s.At:HH:mm:ss} {s}")));

        Assert.Equal(0, errors);
        Assert.True(done > 0);
        // no growth trend after warm-up: the last half of the warm samples is not above the first half by more than noise
        Assert.InRange(rssLast, 0, (rssMiddle * 1.25) + 32);
        Assert.InRange(last.Max(s => s.Sockets), 0, middle.Max(s => s.Sockets) + 4);
        // threads: a starved pool (a loaded CI machine) injects workers while the load runs and retires them after
        // 20 s idle; a leaked thread never goes, so the bound is checked once the load stopped (waiting up to 60 s)
        int threadBound = middle.Max(s => s.Threads) + 8;
        var idle = await SampleWhenAsync(server, s => s.Threads <= threadBound, TimeSpan.FromSeconds(60));
        output.WriteLine($"threads: warm middle max {middle.Max(s => s.Threads)}, last half max {last.Max(s => s.Threads)}, after the load {idle.Threads}");
        Assert.InRange(idle.Threads, 0, threadBound);
    }

    private static async Task<ProcessSample> SampleWhenAsync(ServerProcess server, Func<ProcessSample, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var sample = server.Sample();
        while (!done(sample) && clock.Elapsed < timeout)
        {
            await Task.Delay(500);
            sample = server.Sample();
        }

        return sample;
    }

    private static async Task<long> RunClosedAsync(Workload work, TimeSpan duration, int callers)
    {
        long done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            int i = c;
            while (clock.Elapsed < duration)
            {
                await work.OneAsync(i++);
                Interlocked.Increment(ref done);
            }
        }));
        return done;
    }

    /// <summary>The mix: a quote, a 100-receipt income batch, an NDFL computation, a collateral batch, a Connect JSON rate.</summary>
    private sealed class Workload(CalcClients client, HttpClient http, Uri http1)
    {
        private static readonly RecognizeIncomeRequest Income = BuildIncome();

        public async Task OneAsync(int i)
        {
            switch (i % 5)
            {
                case 0:
                    var quote = await client.Quotes.GetQuoteAsync(new GetQuoteRequest { Asset = "BTC", Venue = "binance", Date = "2025-03-16" }).ResponseAsync;
                    Expect(quote.PriceRub, "7065852.987382");
                    break;
                case 1:
                    var income = await client.Income.RecognizeIncomeAsync(Income).ResponseAsync;
                    Expect(income.Totals[0].IncomeRub, "35329265.00");
                    break;
                case 2:
                    var ndfl = await client.Tax.ComputeNdflAsync(new ComputeNdflRequest { TaxYear = 2025, Residency = Residency.Resident, MiningIncomeRub = "6000000" }).ResponseAsync;
                    Expect(ndfl.MainTaxRub, "882000");
                    break;
                case 3:
                    var collateral = await client.Collateral.BatchValueCollateralAsync(new BatchValueCollateralRequest
                    {
                        Items = { new ValueCollateralRequest { Id = "a", Asset = "BTC", Amount = "2", AsOf = "2025-03-16", LoanRub = "5000000" } },
                    }).ResponseAsync;
                    Expect(collateral.Results[0].Valuation.Status.ToString(), "Ok");
                    break;
                default:
                    using (var content = new StringContent("""{"currency":"USD","date":"2025-01-05"}""", System.Text.Encoding.UTF8, "application/json"))
                    {
                        using var response = await http.PostAsync(new Uri(http1, "/calc.v1.QuoteService/GetCbrRate"), content);
                        string body = await response.Content.ReadAsStringAsync();
                        Expect(System.Text.Json.JsonDocument.Parse(body).RootElement.TryGetProperty("value", out var value) && value.GetString() == "101.6797" ? "ok" : body, "ok");
                    }

                    break;
            }
        }

        private static void Expect(string actual, string expected)
        {
            if (actual != expected)
            {
                throw new InvalidOperationException($"wrong answer: {actual}, expected {expected}");
            }
        }

        private static RecognizeIncomeRequest BuildIncome()
        {
            var request = new RecognizeIncomeRequest();
            for (int i = 0; i < 100; i++)
            {
                request.Receipts.Add(new MiningReceipt
                {
                    Id = $"r{i}",
                    Asset = "BTC",
                    Amount = "0.05",
                    ReceivedAt = Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)),
                });
            }

            return request;
        }
    }
}
