using System.Diagnostics;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Xunit.Abstractions;

namespace Calc.Application.Tests;

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
    private const int Keys = 10_000;

    private static (CloseKey[] Keys, FakeExchange Venue) Batch(TimeProvider time)
    {
        var venue = new FakeExchange("binance", time);
        var keys = new CloseKey[Keys];
        var start = new DateOnly(2022, 1, 1);
        for (int i = 0; i < Keys; i++)
        {
            var pair = new AssetPair("A" + (i % 10), "USDT");
            var day = start.AddDays(i / 10);
            keys[i] = new CloseKey("binance", pair, day);
            venue.Closes[(pair, day)] = 100m + i;
        }

        return (keys, venue);
    }

    [PerfFact]
    public async Task Measure_WarmInProcess_And_SharedCacheOnly()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var (keys, venue) = Batch(time);
        var results = new Lookup<CloseQuote>[Keys];

        var warm = Build.Tiered(time, venues: [venue]);
        await warm.GetClosesAsync(keys, results, CancellationToken.None);
        const int rounds = 200;
        var sw = Stopwatch.StartNew();
        long alloc = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rounds; r++)
        {
            await warm.GetClosesAsync(keys, results, CancellationToken.None);
        }

        sw.Stop();
        alloc = GC.GetAllocatedBytesForCurrentThread() - alloc;
        output.WriteLine($"warm in process: {rounds * (double)Keys / sw.Elapsed.TotalSeconds:N0} lookups/s ({sw.Elapsed.TotalMilliseconds / rounds:N3} ms per 10,000-key batch, {alloc / rounds} bytes allocated per batch)");

        var cache = new InMemoryQuoteCache();
        await new TieredMarketData(new MarketDataStore(), cache, [], [venue], time, Microsoft.Extensions.Options.Options.Create(new MarketDataOptions()),
            new Calc.Application.MarketData.Upstream.UpstreamHealth(time), Microsoft.Extensions.Logging.Abstractions.NullLogger<TieredMarketData>.Instance).GetClosesAsync(keys, results, CancellationToken.None);
        const int cacheRounds = 20;
        var elapsed = TimeSpan.Zero;
        for (int r = 0; r < cacheRounds; r++)
        {
            var fresh = Build.Tiered(time, cache: cache, venues: [venue]); // empty process memory: every key goes to the port
            var sw2 = Stopwatch.StartNew();
            await fresh.GetClosesAsync(keys, results, CancellationToken.None);
            elapsed += sw2.Elapsed;
            Assert.All(results, x => Assert.Equal(QuoteSource.Redis, x.Value!.Source));
        }

        output.WriteLine($"shared cache port only (in-memory IQuoteCache): {cacheRounds * (double)Keys / elapsed.TotalSeconds:N0} lookups/s ({elapsed.TotalMilliseconds / cacheRounds:N2} ms per batch)");

        var rates = new CbrRateKey[Keys];
        var store = new MarketDataStore();
        store.ImportCbrRates(Enumerable.Range(0, 1200).Select(i => new CbrRate("USD", new DateOnly(2022, 1, 1).AddDays(i), 1, 70m + (i % 100))).ToArray(), false);
        for (int i = 0; i < Keys; i++)
        {
            rates[i] = new CbrRateKey("USD", new DateOnly(2022, 1, 1).AddDays(i % 1200));
        }

        var rateResults = new Lookup<CbrRateQuote>[Keys];
        var warmRates = Build.Tiered(time, store);
        await warmRates.GetCbrRatesAsync(rates, rateResults, CancellationToken.None);
        var sw3 = Stopwatch.StartNew();
        for (int r = 0; r < rounds; r++)
        {
            await warmRates.GetCbrRatesAsync(rates, rateResults, CancellationToken.None);
        }

        output.WriteLine($"warm CBR rates in process: {rounds * (double)Keys / sw3.Elapsed.TotalSeconds:N0} lookups/s");
    }
}
