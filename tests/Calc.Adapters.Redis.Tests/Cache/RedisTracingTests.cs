using System.Diagnostics;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>The host's tracer gets a span per Redis command of the cache (OpenTelemetry.Instrumentation.StackExchangeRedis).</summary>
public sealed class RedisTracingTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    [RedisFact]
    public async Task AddCalcRedisTracing_CacheReadsAndWrites_BecomeSpansNamedByCommand()
    {
        // Arrange: the cache as Calc.Server registers it, the tracer as Calc.Server builds it
        await using var services = new ServiceCollection().AddLogging().AddCalcRedisCache(fixture.Server.Configuration + ",syncTimeout=30000,asyncTimeout=30000").BuildServiceProvider();
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddCalcRedisTracing(services)
            .AddProcessor(new Collect(spans))
            .Build();
        var cache = services.GetRequiredService<RedisQuoteCache>();
        var close = new DailyClose("traced", new AssetPair("BTC", "USDT"), new DateOnly(2024, 3, 31), 71_333.48m, true);

        // Act
        await cache.SetClosesAsync([close], default);
        await cache.GetClosesAsync([new CloseKey(close.Venue, close.Pair, close.Date)], new DailyClose?[1], default);
        await Eventually.TrueAsync(() => { lock (spans) { return spans.Any(s => s.DisplayName == "MGET"); } }, "the MGET span is exported");

        // Assert
        string[] names;
        lock (spans)
        {
            names = [.. spans.Select(s => s.DisplayName)];
        }

        Assert.Contains(names, n => n is "SET" or "SETEX"); // the write, with its TTL
        Assert.Contains("MGET", names);
    }

    private sealed class Collect(List<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            lock (spans)
            {
                spans.Add(data);
            }
        }
    }
}
