using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Application.Valuation;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>
/// Two Calc replicas (the application's own composition: store → shared cache → upstreams, import commands)
/// share one real redis-server. What one imports, the other — which never imported anything — reads from Redis.
/// </summary>
public sealed class ImportWriteThroughEndToEndTests
{
    private static readonly AssetPair BtcUsdt = new("BTC", "USDT");

    [RedisFact]
    public async Task ImportOnOneReplica_OtherReplicaThatNeverImported_ReadsTheValuesFromRedis()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync();
        // a Redis read slower than the default 250 ms cache budget is a fail-open miss, which is what two CI runs saw on
        // a busy machine (the reader found nothing about a second in): the replicas now warm the read path at start as
        // the server's host does, and the reader has a generous budget; this test is about what Redis holds
        await using var importer = await Replica.StartAsync(server.Configuration);
        await using var reader = await Replica.StartAsync(server.Configuration, cacheTimeout: TimeSpan.FromSeconds(30));

        // Act: real figures (Binance BTC/USDT closes, CBR USD rates set for Saturday 2024-03-30 and Tuesday 2024-04-02)
        var closes = importer.Imports.ImportCloses(
        [
            new CloseRow("binance", "BTC", "USDT", "2024-03-30", "69582.18"),
            new CloseRow("binance", "BTC", "USDT", "2024-03-31", "71280.01"),
        ], overwrite: false);
        var rates = importer.Imports.ImportRates(
        [
            new RateRow("USD", "2024-03-30", 1, "92.3660"),
            new RateRow("USD", "2024-04-02", 1, "92.2914"),
        ], overwrite: false);
        await importer.WriteThrough.WhenWrittenAsync().WaitAsync(Eventually.Patience);
        var close = await reader.MarketData.GetCloseAsync("binance", BtcUsdt, new DateOnly(2024, 3, 31), default);
        var sundayRate = await reader.MarketData.GetCbrRateAsync("USD", new DateOnly(2024, 3, 31), default);
        var tuesdayRate = await reader.MarketData.GetCbrRateAsync("USD", new DateOnly(2024, 4, 2), default);

        // Assert
        Assert.Equal((2, 2), (closes.Added, rates.Added));
        Assert.Equal((6L, 0L), (importer.WriteThrough.ValuesWritten, importer.WriteThrough.ValuesFailed)); // 2 closes, 4 days of rates
        Assert.Equal(0, reader.Store.CloseCount + reader.Store.CbrRateCount);
        Assert.Equal(71_280.01m, close.Value!.Close.Close);
        Assert.Equal(QuoteSource.Redis, close.Value.Source);
        Assert.Equal(new CbrRate("USD", new DateOnly(2024, 3, 30), 1, 92.3660m), sundayRate.Value!.Rate);
        Assert.Equal(QuoteSource.Redis, sundayRate.Value.Source);
        Assert.Equal(92.2914m, tuesdayRate.Value!.Rate.Value);
    }

    [RedisFact]
    public async Task ImportWhileRedisIsDown_ImportSucceedsFromTheStore_AndTheValuesNotWrittenAreCounted()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync();
        await using var importer = await Replica.StartAsync(server.Configuration);
        importer.WriteThrough.ConnectGrace = TimeSpan.Zero;
        server.Kill();
        await Eventually.TrueAsync(() => importer.Cache.State == CacheState.Degraded, "the cache notices the outage");

        // Act
        var report = importer.Imports.ImportCloses([new CloseRow("binance", "BTC", "USDT", "2024-03-31", "71280.01")], overwrite: false);
        await importer.WriteThrough.WhenWrittenAsync().WaitAsync(Eventually.Patience);
        var local = await importer.MarketData.GetCloseAsync("binance", BtcUsdt, new DateOnly(2024, 3, 31), default);

        // Assert
        Assert.Equal(1, report.Added);
        Assert.Empty(report.Rejected);
        Assert.Equal(71_280.01m, local.Value!.Close.Close);
        Assert.Equal((0L, 1L), (importer.WriteThrough.ValuesWritten, importer.WriteThrough.ValuesFailed));
    }

    /// <summary>One Calc replica's application services, wired as Calc.Server wires them, with Redis as the shared cache.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Replica(ServiceProvider services)
        {
            _services = services;
        }

        public ImportCommands Imports => _services.GetRequiredService<ImportCommands>();

        public ImportWriteThrough WriteThrough => _services.GetRequiredService<ImportWriteThrough>();

        public IMarketData MarketData => _services.GetRequiredService<IMarketData>();

        public MarketDataStore Store => _services.GetRequiredService<MarketDataStore>();

        public RedisQuoteCache Cache => _services.GetRequiredService<RedisQuoteCache>();

        public static async Task<Replica> StartAsync(string redis, TimeSpan? cacheTimeout = null)
        {
            var settings = new Dictionary<string, string?>();
            if (cacheTimeout is { } timeout)
            {
                settings["MarketData:CacheTimeout"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection()
                .AddLogging()
                .AddSingleton(TimeProvider.System)
                .AddSingleton(new ValuationOptions())
                .AddCalcRedisCache(redis + ",syncTimeout=30000,asyncTimeout=30000")
                .AddCalcMarketData(configuration)
                .AddSingleton<ImportCommands>();
            var replica = new Replica(services.BuildServiceProvider());
            await Eventually.TrueAsync(() => replica.Cache.State == CacheState.Connected, "the cache reports connected");
            // what the server's host runs at start: the cache's warm-up (one read of each kind compiles the read path)
            foreach (var hosted in replica._services.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            return replica;
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }
}
