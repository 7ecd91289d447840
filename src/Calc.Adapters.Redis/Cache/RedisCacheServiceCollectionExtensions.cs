using Calc.Application.MarketData;
using Calc.Application.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Calc.Adapters.Redis.Cache;

public static class RedisCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shared quote cache. A non-empty <paramref name="configuration"/> (config key
    /// <c>Redis__Configuration</c>, parsed by StackExchange.Redis) registers the process's one
    /// <see cref="IConnectionMultiplexer"/> and <see cref="RedisQuoteCache"/> on it, created when the host starts;
    /// an unreachable Redis never fails startup (unless the string says <c>abortConnect=true</c>). A malformed
    /// string does fail startup (a configuration error, not an outage). <paramref name="trustIssuerPath"/>
    /// (<c>Redis__TrustIssuer</c>): a CA certificate file the server's TLS certificate must chain to.
    /// Empty or null: embedded mode, <see cref="NoQuoteCache"/> unless an <see cref="IQuoteCache"/> is
    /// already registered.
    /// </summary>
    public static IServiceCollection AddCalcRedisCache(this IServiceCollection services, string? configuration, string? trustIssuerPath = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(configuration))
        {
            services.TryAddSingleton<IQuoteCache>(NoQuoteCache.Instance);
            return services;
        }

        var options = RedisConnection.Parse(configuration, trustIssuerPath);
        services.AddSingleton<IConnectionMultiplexer>(sp => RedisConnection.Connect(options, Logger(sp)));
        services.AddSingleton(sp => new RedisQuoteCache(sp.GetRequiredService<IConnectionMultiplexer>(), Logger(sp), sp.GetService<TimeProvider>()));
        services.AddSingleton<IQuoteCache>(sp => sp.GetRequiredService<RedisQuoteCache>());
        services.AddHostedService<RedisCacheStarter>();
        return services;
    }

    /// <summary>Adds the <c>quote-cache</c> readiness check (Degraded when Redis is down; the multiplexer's counters as data).</summary>
    public static IHealthChecksBuilder AddCalcQuoteCacheCheck(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<QuoteCacheHealthCheck>("quote-cache", HealthStatus.Degraded, tags);
    }

    /// <summary>How often finished Redis commands become spans (the instrumentation's default is 10 s).</summary>
    public static readonly TimeSpan TraceFlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>StackExchange.Redis command spans (OpenTelemetry.Instrumentation.StackExchangeRedis) when the host has a multiplexer.</summary>
    public static TracerProviderBuilder AddCalcRedisTracing(this TracerProviderBuilder builder, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<IConnectionMultiplexer>() is { } redis
            ? builder.AddRedisInstrumentation(redis, o => o.FlushInterval = TraceFlushInterval)
            : builder;
    }

    private static ILogger<RedisQuoteCache> Logger(IServiceProvider sp) =>
        sp.GetService<ILoggerFactory>()?.CreateLogger<RedisQuoteCache>() ?? NullLogger<RedisQuoteCache>.Instance;

    /// <summary>
    /// Creates the cache at host start and, when Redis is reachable, runs one read of each kind through it, so the
    /// first request does not pay for compiling the read path (measured: on a loaded machine that first read could
    /// exceed <c>MarketData:CacheTimeout</c> and send a new replica on a warm Redis to the upstreams).
    /// </summary>
    private sealed class RedisCacheStarter(RedisQuoteCache cache) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => cache.WarmUpAsync(cancellationToken).AsTask();

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
