using System.Diagnostics;
using Calc.Adapters.Exchanges.Binance;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Calc.Adapters.Exchanges.Tests;

/// <summary>A measurement, not a check: runs only with CALC_PERF=1 and reports figures; it never asserts timings.</summary>
internal sealed class PerfFactAttribute : FactAttribute
{
    public PerfFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CALC_PERF") != "1")
        {
            Skip = "performance measurement: set CALC_PERF=1 to run";
        }
    }
}

public sealed class PerfTests(ITestOutputHelper output)
{
    [PerfFact]
    public async Task Measure_ColdBatchAgainstLoopbackBinance()
    {
        var today = new DateOnly(2026, 11, 1);
        var series = new SortedDictionary<DateOnly, decimal>();
        for (var d = new DateOnly(2022, 1, 1); d <= today; d = d.AddDays(1))
        {
            series[d] = 20000m + (d.DayNumber % 5000);
        }

        var fake = new FakeVenue("binance", series, today);
        await using var server = await LoopbackServer.StartAsync(fake.HandleAsync);
        using var factory = new FixedHttpClientFactory(server.BaseUrl);
        var time = new ManualTime(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var keys = new CloseKey[10_000];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = new CloseKey("binance", new AssetPair("C" + (i % 10), "USDT"), new DateOnly(2022, 1, 1).AddDays(i / 10));
        }

        var results = new Lookup<CloseQuote>[keys.Length];
        const int rounds = 5;
        var elapsed = TimeSpan.Zero;
        for (int r = 0; r < rounds; r++)
        {
            var options = new MarketDataOptions();
            options.Upstreams.Binance = new UpstreamOptions { Enabled = true, BaseUrl = server.BaseUrl };
            var client = new BinanceClient(factory, Options.Create(options), time, NullLogger<BinanceClient>.Instance);
            var md = new TieredMarketData(new MarketDataStore(), NoQuoteCache.Instance, [], [client], time, Options.Create(options),
                new UpstreamHealth(time), NullLogger<TieredMarketData>.Instance);
            int before = server.Requests.Count;
            var sw = Stopwatch.StartNew();
            await md.GetClosesAsync(keys, results, CancellationToken.None);
            elapsed += sw.Elapsed;
            Assert.All(results, x => Assert.True(x.Ok));
            output.WriteLine($"round {r}: {sw.Elapsed.TotalMilliseconds:N1} ms, {server.Requests.Count - before} upstream requests");
        }

        output.WriteLine($"cold against loopback Binance: {rounds * 10_000.0 / elapsed.TotalSeconds:N0} lookups/s ({elapsed.TotalMilliseconds / rounds:N1} ms per 10,000-key batch)");
    }
}
