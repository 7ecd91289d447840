using Calc.Server.Tests.Infrastructure;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Client;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Xunit.Abstractions;

namespace Calc.Reliability.Tests;

/// <summary>
/// Redis faults while the server loads a month-end batch through its Redis tier (real redis-server): killed and
/// restarted, slowed with DEBUG SLEEP, and full (maxmemory, noeviction). Every answer stays exact (the cache is
/// an optimisation, never a source of truth), health reports Degraded while Redis is gone and recovers after.
/// </summary>
public sealed class RedisFaultTests(ITestOutputHelper output)
{
    [RedisFact]
    public async Task RedisKilledMidBatch_AnswersExact_HealthDegradedThenRecoversAfterRestart()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        await using var server = await CalcProcess.StartAsync(Environment(redis, cbr, binance));
        using var channel = new GrpcChannel(server.GrpcAddress);
        var client = new CalcClient(channel);
        using var http = new HttpClient();

        var answers = new List<string>();
        for (int i = 0; i < FaultyUpstream.Dates.Count; i++)
        {
            if (i == 3)
            {
                redis.Kill();
            }

            answers.Add(await QuoteAsync(client, FaultyUpstream.Dates[i]));
        }

        var outage = Stopwatch.StartNew();
        string degraded = await WaitForHealthAsync(http, server, "Degraded", TimeSpan.FromSeconds(60));
        var detected = outage.Elapsed;
        await redis.StartAsync();
        var clock = Stopwatch.StartNew();
        string healthy = await WaitForHealthAsync(http, server, "Healthy", TimeSpan.FromSeconds(60));
        var recovery = clock.Elapsed;
        output.WriteLine($"| Redis | killed mid-batch, restarted | {answers.Count} exact answers, health Degraded after {detected.TotalSeconds:0.0} s | recovered to Healthy {recovery.TotalSeconds:0.0} s after restart |");

        Assert.Equal(FaultyUpstream.Dates.Select(Expected), answers);
        Assert.Equal("Degraded", Overall(degraded));
        Assert.Equal("Healthy", Overall(healthy));
    }

    [RedisFact]
    public async Task RedisSlowedThenFull_AnswersExactAndBounded()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var cbr = await FaultyUpstream.StartAsync();
        await using var binance = await FaultyUpstream.StartAsync();
        await using var server = await CalcProcess.StartAsync(Environment(redis, cbr, binance));
        using var channel = new GrpcChannel(server.GrpcAddress);
        var client = new CalcClient(channel);

        // slowed: Redis blocks for 15 s while three cold months are priced; each answer must come while it still sleeps
        // (Calc's 500 ms Redis timeout, then the upstreams), not after it woke up
        var sleep = Task.Run(() => Command(redis.Port, "DEBUG SLEEP 15"));
        await Task.Delay(100);
        var slow = new List<string>();
        var slowTimes = new List<double>();
        var answeredWhileAsleep = new List<bool>();
        for (int i = 0; i < 3; i++)
        {
            var one = Stopwatch.StartNew();
            slow.Add(await QuoteAsync(client, FaultyUpstream.Dates[i]));
            answeredWhileAsleep.Add(!sleep.IsCompleted);
            slowTimes.Add(one.Elapsed.TotalSeconds);
        }

        Assert.StartsWith("+OK", await sleep, StringComparison.Ordinal);

        // full: no memory left for new keys (noeviction): every write is refused with OOM
        Assert.StartsWith("+OK", Command(redis.Port, "CONFIG SET maxmemory-policy noeviction"), StringComparison.Ordinal);
        Command(redis.Port, "DEBUG POPULATE 20000 junk 100");
        Assert.StartsWith("+OK", Command(redis.Port, "CONFIG SET maxmemory 1000000"), StringComparison.Ordinal);
        Assert.StartsWith("-OOM", Command(redis.Port, "SET probe 1"), StringComparison.Ordinal);
        var full = new List<string>();
        for (int i = 3; i < FaultyUpstream.Dates.Count; i++)
        {
            full.Add(await QuoteAsync(client, FaultyUpstream.Dates[i]));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| Redis | DEBUG SLEEP 15 | 3 exact answers in {string.Join(" / ", slowTimes.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s | — |"));
        output.WriteLine($"| Redis | maxmemory full (noeviction, OOM on writes) | {full.Count} exact answers | — |");

        Assert.Equal(FaultyUpstream.Dates.Take(3).Select(Expected), slow);
        Assert.Equal([true, true, true], answeredWhileAsleep);
        Assert.Equal(FaultyUpstream.Dates.Skip(3).Select(Expected), full);
        Assert.False(server.HasExited);
    }

    private static string Expected(DateOnly date) =>
        (decimal.Parse(FaultyUpstream.BtcCloses[date], CultureInfo.InvariantCulture) * decimal.Parse(FaultyUpstream.UsdRates[date], CultureInfo.InvariantCulture))
            .ToString(CultureInfo.InvariantCulture);

    private static async Task<string> QuoteAsync(CalcClient client, DateOnly date)
    {
        var quote = await client.GetQuoteAsync(new GetQuoteRequest { Asset = "BTC", Venue = "binance", Date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        return decimal.Parse(quote.PriceRub, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, string> Environment(RedisServer redis, FaultyUpstream cbr, FaultyUpstream binance) => new()
    {
        ["Redis__Configuration"] = redis.Configuration + ",abortConnect=false,connectTimeout=1000,syncTimeout=500,name=calc-fault",
        ["MarketData__Upstreams__Cbr__Enabled"] = "true",
        ["MarketData__Upstreams__Cbr__BaseUrl"] = cbr.BaseUrl.ToString(),
        ["MarketData__Upstreams__Binance__Enabled"] = "true",
        ["MarketData__Upstreams__Binance__BaseUrl"] = binance.BaseUrl.ToString(),
        ["MarketData__Sync__Enabled"] = "false",
    };

    private static string? Overall(string health) => System.Text.Json.JsonDocument.Parse(health).RootElement.GetProperty("status").GetString();

    private static async Task<string> WaitForHealthAsync(HttpClient http, ServerProcess server, string wanted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < timeout)
        {
            using var response = await http.GetAsync(new Uri(server.Http1Address, "/health"));
            last = await response.Content.ReadAsStringAsync();
            if (System.Text.Json.JsonDocument.Parse(last).RootElement.GetProperty("status").GetString() == wanted)
            {
                break;
            }

            await Task.Delay(200);
        }

        return last;
    }

    /// <summary>One inline command over a fresh connection; returns the first reply line.</summary>
    private static string Command(int port, string command)
    {
        using var tcp = new TcpClient("127.0.0.1", port) { ReceiveTimeout = 60_000 };
        using var stream = tcp.GetStream();
        stream.Write(Encoding.ASCII.GetBytes(command + "\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadLine() ?? "";
    }
}
