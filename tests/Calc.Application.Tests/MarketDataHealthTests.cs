using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Application.Tests;

/// <summary>Health says what market data is held, and is Degraded when nothing can be priced.</summary>
public sealed class MarketDataHealthTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task NoDataHeld_NoUpstreamEnabled_DegradedWithTheReason_ThroughTheRegisteredCheck()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        await using var sp = new ServiceCollection().AddLogging().AddCalcMarketData(config).BuildServiceProvider();

        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["market-data"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("no closes held and no venue upstream enabled", entry.Description, StringComparison.Ordinal);
        Assert.Contains("no CBR rates held and no CBR upstream enabled", entry.Description, StringComparison.Ordinal);
        Assert.Equal(("none", "none"), ((string)entry.Data["closes_held"], (string)entry.Data["cbr_rates_held"]));
    }

    [Fact]
    public async Task DataHeld_NoUpstream_HealthyListingTheSeriesAndTheirDays()
    {
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("binance", Build.BtcUsdt, new DateOnly(2025, 3, 10), 80000m, true),
            new DailyClose("binance", Build.BtcUsdt, new DateOnly(2025, 3, 19), 81000m, true),
            new DailyClose("coinbase", Build.BtcUsd, new DateOnly(2025, 3, 12), 80500m, true)], overwrite: false);
        store.ImportCbrRates([new CbrRate("USD", new DateOnly(2025, 3, 1), 1, 87.5m), new CbrRate("USD", new DateOnly(2025, 3, 15), 1, 86m)], overwrite: false);
        var check = new MarketDataHealthCheck(new UpstreamHealth(new ManualTime(Now)), NoQuoteCache.Instance, store);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("market data held (no upstream enabled)", result.Description);
        Assert.Equal("binance BTC/USDT 2025-03-10..2025-03-19; coinbase BTC/USD 2025-03-12..2025-03-12", result.Data["closes_held"]);
        Assert.Equal("USD 2025-03-01..2025-03-15", result.Data["cbr_rates_held"]);
    }

    [Fact]
    public async Task ClosesHeld_NoRatesAndNoCbrUpstream_DegradedNamingTheRates()
    {
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("binance", Build.BtcUsdt, new DateOnly(2025, 3, 10), 80000m, true)], overwrite: false);
        var check = new MarketDataHealthCheck(new UpstreamHealth(new ManualTime(Now)), NoQuoteCache.Instance, store);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.DoesNotContain("no closes held", result.Description, StringComparison.Ordinal);
        Assert.Contains("no CBR rates held and no CBR upstream enabled", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDataHeld_UpstreamsEnabled_NotDegradedForMissingData()
    {
        var health = new UpstreamHealth(new ManualTime(Now));
        health.Register(TieredMarketData.CbrSource);
        health.Register("binance");
        var check = new MarketDataHealthCheck(health, NoQuoteCache.Instance, new MarketDataStore());

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("none", result.Data["closes_held"]);
    }
}
