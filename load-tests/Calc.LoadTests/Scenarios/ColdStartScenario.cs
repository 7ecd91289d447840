using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calc.V1;
using Grpc.Core;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// Scenario 5, cold start: a server with nothing imported and upstreams pointed at <see cref="UpstreamFake"/>.
/// (a) empty in-process cache and empty Redis: the first batch per policy goes upstream; (b) a new server
/// process (empty in-process cache) on the Redis that (a) filled. Each phase sends the batch of every policy
/// once cold, then once more warm; provenance sources show which tier answered. Redis is a redis-server on a
/// free loopback port started here (skipped when not installed or with <c>--no-redis</c>).
/// </summary>
public static class ColdStartScenario
{
    public static async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioOptions options, CancellationToken ct)
    {
        string data = options.DataDirectory;
        var workload = Workload.Load(data, options.String("month") ?? "2025-08");
        var requests = workload.BatchRequests(options.Int("batch", 10_000, 300));
        await using var fake = await UpstreamFake.StartAsync(data, ct).ConfigureAwait(false);
        await using var redis = options.Flag("no-redis") ? null : await RedisProcess.TryStartAsync(ct).ConfigureAwait(false);
        var environment = new Dictionary<string, string>
        {
            ["MarketData__ImportPath"] = "",
            ["MarketData__Sync__Enabled"] = "false",
            ["Redis__Configuration"] = redis?.Configuration ?? "",
        };
        foreach (string upstream in new[] { "Binance", "Coinbase", "Cbr" })
        {
            environment[$"MarketData__Upstreams__{upstream}__Enabled"] = "true";
            environment[$"MarketData__Upstreams__{upstream}__BaseUrl"] = fake.BaseUrl.ToString();
        }

        var reports = new List<ScenarioReport>();
        await using (var server = await ServerUnderTest.StartAsync(options, environment, ct).ConfigureAwait(false))
        {
            reports.Add(await ColdCallsAsync(server, requests, fake, redis is null
                ? "5 cold: empty cache, no Redis, loopback upstream" : "5 cold: empty cache + empty Redis, loopback upstream", ct).ConfigureAwait(false));
        }

        if (redis is not null)
        {
            await using var server = await ServerUnderTest.StartAsync(options, environment, ct).ConfigureAwait(false);
            reports.Add(await ColdCallsAsync(server, requests, fake, "5 cold: empty cache, warm Redis", ct).ConfigureAwait(false));
        }

        return reports;
    }

    private static async Task<ScenarioReport> ColdCallsAsync(ServerUnderTest server, IReadOnlyList<RecognizeIncomeRequest> requests, UpstreamFake fake,
        string name, CancellationToken ct)
    {
        using var channel = LoadChannel.For(server.GrpcAddress);
        var client = new IncomeService.IncomeServiceClient(channel);
        int upstreamBefore = fake.Requests;
        int logBefore = fake.RequestLog.Count;
        var latencies = new Latencies();
        var sources = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long receipts = 0, errors = 0;
        var measurement = Measurement.Start(server);
        var cold = new List<double>();
        foreach (var request in requests)
        {
            long start = Stopwatch.GetTimestamp();
            var (ok, bad) = await CallAsync(client, request, sources, ct).ConfigureAwait(false);
            cold.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            latencies.Add(start);
            receipts += ok;
            errors += bad;
        }

        var report = measurement.Stop(name, "receipts", receipts, requests.Count, errors, Latencies.Merge([latencies]));
        int upstreamCalls = fake.Requests - upstreamBefore;
        var upstreamLog = fake.RequestLog.Skip(logBefore).ToArray();
        var warm = new List<double>();
        foreach (var request in requests)
        {
            long start = Stopwatch.GetTimestamp();
            var (_, bad) = await CallAsync(client, request, null, ct).ConfigureAwait(false);
            warm.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            errors += bad;
        }

        return report with
        {
            Errors = errors,
            UpstreamRequests = upstreamCalls,
            UpstreamRequestLog = upstreamLog,
            Sources = new Dictionary<string, int>(sources, StringComparer.Ordinal),
            Notes = string.Create(CultureInfo.InvariantCulture,
                $"cold calls {string.Join(" / ", cold.Select(ms => ms.ToString("F0", CultureInfo.InvariantCulture)))} ms, then warm {string.Join(" / ", warm.Select(ms => ms.ToString("F0", CultureInfo.InvariantCulture)))} ms; {upstreamCalls} upstream requests; provenance {string.Join(", ", sources.Select(kv => $"{kv.Key}×{kv.Value}"))}"),
        };
    }

    private static async Task<(long Ok, long Errors)> CallAsync(IncomeService.IncomeServiceClient client, RecognizeIncomeRequest request, SortedDictionary<string, int>? sources,
        CancellationToken ct)
    {
        try
        {
            var response = await client.RecognizeIncomeAsync(request, LoadChannel.Call(ct)).ConfigureAwait(false);
            if (sources is not null)
            {
                foreach (var p in response.Provenances)
                {
                    sources[p.Source] = sources.GetValueOrDefault(p.Source) + 1;
                }
            }

            long errors = response.Results.Count(r => r.ResultCase != IncomeResult.ResultOneofCase.Income) + (response.Results.Count == request.Receipts.Count ? 0 : 1);
            return (response.Results.Count, errors);
        }
        catch (RpcException)
        {
            return (0, 1);
        }
    }
}

/// <summary>A throw-away redis-server on a free loopback port, no persistence; killed on dispose.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Configuration = $"127.0.0.1:{port}";
    }

    /// <summary>The StackExchange-style configuration string the server reads from <c>Redis:Configuration</c>.</summary>
    public string Configuration { get; }

    public static async Task<RedisProcess?> TryStartAsync(CancellationToken ct)
    {
        string? binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            Console.Error.WriteLine("redis-server not installed; the warm-Redis phase is skipped");
            return null;
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo(binary, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisProcess(process, port);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct).ConfigureAwait(false);
                return redis;
            }
            catch (SocketException)
            {
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
        }

        await redis.DisposeAsync().ConfigureAwait(false);
        throw new TimeoutException("redis-server did not start listening");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
