using Calc.Application.MarketData;
using Calc.Adapters.Redis.Cache;
using Calc.Application.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Calc.Adapters.Redis.Tests.Cache;

public sealed class HostingTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task AddCalcRedisCache_NoConfiguration_RegistersDisabledCache(string? configuration)
    {
        // Arrange
        var services = new ServiceCollection().AddCalcRedisCache(configuration);

        // Act
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IQuoteCache>();

        // Assert
        Assert.IsType<NoQuoteCache>(cache);
        Assert.Equal(CacheState.Disabled, cache.State);
    }

    [Fact]
    public async Task AddCalcRedisCache_RedisDown_StartsWithoutBlockingAndReportsDegraded()
    {
        // Arrange
        var services = new ServiceCollection().AddLogging().AddCalcRedisCache("127.0.0.1:1,connectTimeout=300");
        services.AddHealthChecks().AddCalcQuoteCacheCheck("ready");
        await using var provider = services.BuildServiceProvider();

        // Act
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(default);
        }

        var cache = provider.GetRequiredService<IQuoteCache>();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        // Assert
        Assert.IsType<RedisQuoteCache>(cache);
        Assert.Same(cache, provider.GetRequiredService<RedisQuoteCache>());
        Assert.Equal(HealthStatus.Degraded, report.Entries["quote-cache"].Status);
    }

    [Fact]
    public void AddCalcRedisCache_MalformedConfiguration_FailsAtRegistration()
    {
        // Act
        var error = Record.Exception(() => new ServiceCollection().AddCalcRedisCache("localhost,sll=true"));

        // Assert
        Assert.IsType<ArgumentException>(error); // StackExchange.Redis: "Keyword 'sll' is not supported"
    }

    [Theory]
    [InlineData(CacheState.Disabled, HealthStatus.Healthy)]
    [InlineData(CacheState.Connected, HealthStatus.Healthy)]
    [InlineData(CacheState.Degraded, HealthStatus.Degraded)]
    public async Task QuoteCacheHealthCheck_State_MapsToHealth(CacheState state, HealthStatus expected)
    {
        // Arrange
        var check = new QuoteCacheHealthCheck(new StateOnlyCache(state));

        // Act
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        // Assert
        Assert.Equal(expected, result.Status);
    }

    [Fact]
    public async Task NoQuoteCache_Reads_LeaveResultsUntouched()
    {
        // Arrange
        var cache = NoQuoteCache.Instance;
        var results = new Calc.Domain.Quotes.DailyClose?[2];

        // Act
        await cache.GetClosesAsync([new CloseKey("binance", new("BTC", "USDT"), new DateOnly(2024, 1, 1)), default], results, default);

        // Assert
        Assert.All(results, Assert.Null);
    }

    private sealed class StateOnlyCache(CacheState state) : IQuoteCache
    {
        public CacheState State => state;

        public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, Calc.Domain.Quotes.DailyClose?[] results, CancellationToken cancellationToken) => default;

        public ValueTask SetClosesAsync(IReadOnlyList<Calc.Domain.Quotes.DailyClose> closes, CancellationToken cancellationToken) => default;

        public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, Calc.Domain.Quotes.CbrRate?[] results, CancellationToken cancellationToken) => default;

        public ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, Calc.Domain.Quotes.CbrRate Rate)> rates, CancellationToken cancellationToken) => default;
    }
}
