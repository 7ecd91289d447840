using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Calc.Application.Tests;

public sealed class SyncAndHealthTests
{
    [Theory]
    [InlineData("2026-03-04T12:00:00Z", "2026-03-04T12:45:00Z")] // 15:00 MSK: CBR publication at 15:45 MSK comes first
    [InlineData("2026-03-04T13:00:00Z", "2026-03-04T14:00:00Z")] // after publication: the routine hour
    [InlineData("2026-03-04T23:30:00Z", "2026-03-05T00:05:00Z")] // the UTC day closes first
    [InlineData("2026-03-05T00:02:00Z", "2026-03-05T00:05:00Z")] // still before the post-close run
    public void NextRunAt_Now_EarliestOfIntervalDayCloseAndPublication(string now, string expected)
    {
        var sync = new MarketDataSyncOptions { Interval = TimeSpan.FromHours(1), VenueCloseDelay = TimeSpan.FromMinutes(5) };

        var next = MarketDataSyncService.NextRunAt(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), sync);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public async Task RunOnceAsync_RecentDays_FetchedOnceThenHeld()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 3, 5, 0, 10, 0, TimeSpan.Zero));
        var venue = new FakeExchange("binance", time);
        for (var d = new DateOnly(2026, 2, 20); d <= new DateOnly(2026, 3, 5); d = d.AddDays(1))
        {
            venue.Closes[(Build.BtcUsdt, d)] = 60000m + d.DayNumber % 1000;
        }

        var cbr = new FakeCbr();
        cbr.Rates.AddRange([new("USD", new DateOnly(2026, 2, 26), 1, 76.4678m), new("USD", new DateOnly(2026, 2, 27), 1, 77.1218m), new("USD", new DateOnly(2026, 2, 28), 1, 77.2736m), new("USD", new DateOnly(2026, 3, 3), 1, 77.1734m), new("USD", new DateOnly(2026, 3, 4), 1, 77.6093m), new("USD", new DateOnly(2026, 3, 5), 1, 77.8009m)]);
        var md = Build.Tiered(time, cbr: cbr, venues: [venue]);
        var options = new MarketDataOptions();
        options.Sync.Currencies.Add("USD");
        options.Sync.Pairs.Add("binance:BTC/USDT");
        options.Sync.Pairs.Add("kraken:BTC/USD"); // no upstream configured: skipped
        var sync = new MarketDataSyncService(md, time, Options.Create(options), NullLogger<MarketDataSyncService>.Instance);

        var first = await sync.RunOnceAsync(CancellationToken.None);
        int calls = venue.Calls + cbr.Calls;
        var second = await sync.RunOnceAsync(CancellationToken.None);

        Assert.Equal((7 + 9, 0), first); // 7 closed UTC days, 7 past + today + tomorrow for USD
        Assert.Equal(first, second);
        Assert.Equal(calls, venue.Calls + cbr.Calls);
        var held = await md.GetCloseAsync("binance", Build.BtcUsdt, new DateOnly(2026, 3, 4), CancellationToken.None);
        Assert.Equal(QuoteSource.Memory, held.Value!.Source);
    }

    [Fact]
    public async Task CheckHealthAsync_SourceFailing_DegradedNamingIt()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero));
        var venue = new FakeExchange("binance", time) { Failure = () => new UpstreamException("binance", Reasons.UpstreamUnavailable, "binance: connection failed") };
        var health = new UpstreamHealth(time);
        var md = new TieredMarketData(new MarketDataStore(), NoQuoteCache.Instance, [new FakeCbr()], [venue], time,
            Options.Create(new MarketDataOptions()), health, NullLogger<TieredMarketData>.Instance);
        var check = new MarketDataHealthCheck(health, NoQuoteCache.Instance);

        var before = await check.CheckHealthAsync(new HealthCheckContext());
        var lookup = await md.GetCloseAsync("binance", Build.BtcUsdt, new DateOnly(2026, 3, 4), CancellationToken.None);
        var after = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal("not called yet", before.Data["cbr"]);
        Assert.Equal(Reasons.UpstreamUnavailable, lookup.Error!.Reason);
        Assert.Equal(HealthStatus.Degraded, after.Status);
        Assert.Contains("binance", after.Description, StringComparison.Ordinal);
        Assert.Contains("connection failed", (string)after.Data["binance"], StringComparison.Ordinal);
    }

    [Fact]
    public void AddCalcMarketData_EmbeddedDefaults_StoreOnlyWithoutSync()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MarketData:NegativeCacheTtl"] = "00:00:30" }).Build();
        using var sp = new ServiceCollection().AddLogging().AddCalcMarketData(config).BuildServiceProvider();

        var md = sp.GetRequiredService<IMarketData>();

        var tiered = Assert.IsType<TieredMarketData>(md);
        Assert.False(tiered.HasUpstreams);
        Assert.DoesNotContain(sp.GetServices<IHostedService>(), s => s is MarketDataSyncService);
        Assert.Equal(TimeSpan.FromSeconds(30), sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.NegativeCacheTtl);
        Assert.Equal(CacheState.Disabled, sp.GetRequiredService<IQuoteCache>().State);
    }

    [Fact]
    public void AddCalcMarketData_UpstreamEnabled_RegistersSyncAndBindsLists()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MarketData:Upstreams:Cbr:Enabled"] = "true",
            ["MarketData:Sync:Currencies:0"] = "USD",
            ["MarketData:Sync:Pairs:0"] = "bybit:BTC/USDT",
        }).Build();
        using var sp = new ServiceCollection().AddLogging().AddCalcMarketData(config).BuildServiceProvider();

        var options = sp.GetRequiredService<IOptions<MarketDataOptions>>().Value;

        Assert.Single(sp.GetServices<IHostedService>().OfType<MarketDataSyncService>());
        Assert.Equal(["USD"], options.Sync.Currencies);
        Assert.Equal(["bybit:BTC/USDT"], options.Sync.Pairs);
        Assert.True(options.Upstreams.Cbr.Enabled);
        Assert.False(options.Upstreams.Binance.Enabled);
    }

    [Theory]
    [InlineData("binance:BTC/USDT", true, "binance", "BTC", "USDT")]
    [InlineData("okx: ETH / USDT", true, "okx", "ETH", "USDT")]
    [InlineData("BTC/USDT", false, "", "", "")]
    [InlineData("binance:BTCUSDT", false, "", "", "")]
    public void TryParsePair_Entry_ParsedOrRejected(string entry, bool ok, string venue, string baseCode, string quote)
    {
        bool parsed = MarketDataSyncService.TryParsePair(entry, out string v, out var pair);

        Assert.Equal(ok, parsed);
        if (ok)
        {
            Assert.Equal((venue, new AssetPair(baseCode, quote)), (v, pair));
        }
    }
}
