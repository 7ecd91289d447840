using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calc.Adapters.Redis.Cache;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Calc.LoadTests.Redis;

/// <summary>
/// Measures StackExchange.Redis (the multiplexer Calc uses) against <c>redis-benchmark</c> on the same server:
/// pipelined GET throughput with N concurrent callers on one multiplexer (ratio to <c>redis-benchmark -t get -P 16 -c 50</c>), MGET-of-100 latency
/// p50/p99 (raw and through <see cref="RedisQuoteCache"/>), and bytes allocated per GET. Medians of
/// several runs. Starts its own redis-server on 127.0.0.1 unless <c>--server host:port</c> is given.
/// </summary>
internal static class RedisBench
{
    public const string Help =
        "[--server host:port] [--callers 64] [--seconds 3] [--runs 3] [--mget-samples 3000] [--skip-redis-benchmark]";

    private const int KeyCount = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var opts = Options.Parse(args);
        Process? server = null;
        string? dir = null;
        string host = "127.0.0.1";
        int port;
        if (opts.Server is { } s)
        {
            var parts = s.Split(':');
            host = parts[0];
            port = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        else
        {
            (server, dir, port) = StartServer();
        }

        try
        {
            var config = host + ":" + port.ToString(CultureInfo.InvariantCulture) + ",syncTimeout=5000";
            var options = ConfigurationOptions.Parse(config);
            options.AbortOnConnectFail = false;
            options.ConnectRetry = 50; // the server may still be starting
            await using var mux = await ConnectionMultiplexer.ConnectAsync(options);
            var client = mux.GetDatabase();
            await PreloadAsync(client);
            Console.WriteLine($"server {host}:{port}, StackExchange.Redis {typeof(IDatabase).Assembly.GetName().Version}, {Environment.ProcessorCount} cores, {opts.Callers} callers, {opts.Runs} runs × {opts.Seconds} s");

            // warm-up (JIT, tiered compilation, thread pool)
            await GetLoadAsync(client, opts.Callers, TimeSpan.FromSeconds(1));

            var ours = new List<double>();
            var allocs = new List<double>();
            for (int r = 0; r < opts.Runs; r++)
            {
                var (ops, perOp) = await GetLoadAsync(client, opts.Callers, TimeSpan.FromSeconds(opts.Seconds));
                ours.Add(ops);
                allocs.Add(perOp);
                Console.WriteLine($"  StackExchange.Redis run {r + 1}: {ops:N0} GET/s, {perOp:N0} B allocated per GET");
            }

            double reference = double.NaN;
            if (!opts.SkipRedisBenchmark)
            {
                var refs = new List<double>();
                for (int r = 0; r < opts.Runs; r++)
                {
                    double rps = RunRedisBenchmark(host, port);
                    refs.Add(rps);
                    Console.WriteLine($"  redis-benchmark -t get -P 16 -c 50 run {r + 1}: {rps:N0} GET/s");
                }

                reference = Median(refs);
            }

            var (p50, p99) = await MGetLatencyAsync(client, opts.MGetSamples);
            var (cp50, cp99) = await CacheLatencyAsync(config, opts.MGetSamples);

            Console.WriteLine();
            Console.WriteLine($"GET throughput ({opts.Callers} callers): {Median(ours):N0}/s median");
            if (!double.IsNaN(reference))
            {
                Console.WriteLine($"redis-benchmark -t get -P 16 -c 50:  {reference:N0}/s median");
                Console.WriteLine($"ratio: {Median(ours) / reference:0.00} (for the record)");
            }

            Console.WriteLine($"allocations per GET: {Median(allocs):N0} B (median)");
            Console.WriteLine($"MGET 100 keys, one caller: p50 {p50:0} µs, p99 {p99:0} µs");
            Console.WriteLine($"RedisQuoteCache.GetClosesAsync 100 keys: p50 {cp50:0} µs, p99 {cp99:0} µs");
            return 0;
        }
        finally
        {
            if (server is not null)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
                server.Dispose();
                Directory.Delete(dir!, recursive: true);
            }
        }
    }

    private static async Task PreloadAsync(IDatabase client)
    {
        var writes = new Task[KeyCount];
        for (int i = 0; i < KeyCount; i++)
        {
            writes[i] = client.StringSetAsync(Key(i), "xxx"); // 3-byte values, as redis-benchmark's default -d 3
        }

        await Task.WhenAll(writes);
    }

    private static string Key(int i) => "bench:" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>N callers, each awaiting one GET at a time, for a fixed duration; ops/s and bytes per op.</summary>
    private static async Task<(double OpsPerSecond, double BytesPerOp)> GetLoadAsync(IDatabase client, int callers, TimeSpan duration)
    {
        var keys = Enumerable.Range(0, KeyCount).Select(i => (RedisKey)Key(i)).ToArray();
        long total = 0;
        using var stop = new CancellationTokenSource();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            long n = 0;
            int k = c * 97;
            while (!stop.IsCancellationRequested)
            {
                var value = await client.StringGetAsync(keys[k++ % KeyCount]);
                if (value.Length() != 3)
                {
                    throw new InvalidOperationException("wrong reply in benchmark");
                }

                n++;
            }

            Interlocked.Add(ref total, n);
        })).ToArray();
        await Task.Delay(duration);
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        sw.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return (total / sw.Elapsed.TotalSeconds, (double)allocated / total);
    }

    private static async Task<(double P50, double P99)> MGetLatencyAsync(IDatabase client, int samples)
    {
        var keys = Enumerable.Range(0, 100).Select(i => (RedisKey)Key(i * 37)).ToArray();
        var times = new double[samples];
        for (int i = 0; i < samples + 200; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var values = await client.StringGetAsync(keys);
            if (values.Length != 100 || values[99].IsNull)
            {
                throw new InvalidOperationException("wrong MGET reply in benchmark");
            }

            if (i >= 200)
            {
                times[i - 200] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }

        return Percentiles(times);
    }

    private static async Task<(double P50, double P99)> CacheLatencyAsync(string config, int samples)
    {
        await using var cache = new RedisQuoteCache(config, NullLogger<RedisQuoteCache>.Instance);
        var pair = new AssetPair("BTC", "USDT");
        var start = new DateOnly(2024, 1, 1);
        var closes = Enumerable.Range(0, 100).Select(d => new DailyClose("binance", pair, start.AddDays(d), 42_000.5m + d, true)).ToArray();
        await cache.SetClosesAsync(closes, default);
        var keys = closes.Select(c => new CloseKey(c.Venue, c.Pair, c.Date)).ToArray();
        var results = new DailyClose?[keys.Length];
        var times = new double[samples];
        for (int i = 0; i < samples + 200; i++)
        {
            Array.Clear(results);
            long t0 = Stopwatch.GetTimestamp();
            await cache.GetClosesAsync(keys, results, default);
            if (results[99] is null)
            {
                throw new InvalidOperationException("cache miss in benchmark (state " + cache.State + ")");
            }

            if (i >= 200)
            {
                times[i - 200] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }

        return Percentiles(times);
    }

    private static double RunRedisBenchmark(string host, int port)
    {
        var psi = new ProcessStartInfo("redis-benchmark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "get", "-P", "16", "-c", "50", "-n", "2000000", "--csv" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            throw new TimeoutException("redis-benchmark did not finish in 60 s");
        }

        // --csv: "test","rps",...  then "GET","1234567.00",...
        var line = output.Split('\n').First(l => l.StartsWith("\"GET\"", StringComparison.Ordinal));
        return double.Parse(line.Split(',')[1].Trim('"'), CultureInfo.InvariantCulture);
    }

    private static (Process Server, string Dir, int Port) StartServer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string dir = Path.Combine(Path.GetTempPath(), "calc-redis-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var psi = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir })
        {
            psi.ArgumentList.Add(a);
        }

        var server = Process.Start(psi)!;
        server.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return (server, dir, port);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static (double P50, double P99) Percentiles(double[] times)
    {
        Array.Sort(times);
        return (times[(int)(times.Length * 0.50)], times[Math.Min(times.Length - 1, (int)(times.Length * 0.99))]);
    }

    private sealed record Options(string? Server, int Callers, int Seconds, int Runs, int MGetSamples, bool SkipRedisBenchmark)
    {
        public static Options Parse(string[] args)
        {
            var o = new Options(null, 64, 3, 3, 3000, false);
            for (int i = 0; i < args.Length; i++)
            {
                o = args[i] switch
                {
                    "--server" => o with { Server = args[++i] },
                    "--callers" => o with { Callers = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 1024) },
                    "--seconds" => o with { Seconds = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 60) },
                    "--runs" => o with { Runs = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 9) },
                    "--mget-samples" => o with { MGetSamples = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 100, 100_000) },
                    "--skip-redis-benchmark" => o with { SkipRedisBenchmark = true },
                    _ => throw new ArgumentException("unknown option " + args[i] + "; options: " + Help),
                };
            }

            return o;
        }
    }
}
