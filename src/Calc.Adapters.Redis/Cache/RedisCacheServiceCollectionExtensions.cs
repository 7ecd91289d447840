using Calc.Adapters.Redis.Client;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calc.Adapters.Redis.Cache;

public static class RedisCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shared quote cache. A non-empty <paramref name="configuration"/> (config key
    /// <c>Redis__Configuration</c>, StackExchange.Redis string shape) registers <see cref="RedisQuoteCache"/>,
    /// created when the host starts and connecting in the background: startup never waits for Redis and never
    /// fails because it is down. A malformed string does fail startup (a configuration error, not an outage).
    /// Empty or null: embedded mode, <see cref="NoQuoteCache"/> unless an <see cref="IQuoteCache"/> is
    /// already registered.
    /// </summary>
    public static IServiceCollection AddCalcRedisCache(this IServiceCollection services, string? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(configuration))
        {
            services.TryAddSingleton<IQuoteCache>(NoQuoteCache.Instance);
            return services;
        }

        var options = RedisOptions.Parse(configuration);
        services.AddSingleton(sp => new RedisQuoteCache(
            options,
            sp.GetService<ILoggerFactory>()?.CreateLogger<RedisQuoteCache>() ?? NullLogger<RedisQuoteCache>.Instance,
            sp.GetService<TimeProvider>()));
        services.AddSingleton<IQuoteCache>(sp => sp.GetRequiredService<RedisQuoteCache>());
        services.AddHostedService<RedisCacheStarter>();
        return services;
    }

    /// <summary>Adds the <c>quote-cache</c> readiness check (Degraded when Redis is down).</summary>
    public static IHealthChecksBuilder AddCalcQuoteCacheCheck(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<QuoteCacheHealthCheck>("quote-cache", HealthStatus.Degraded, tags);
    }

    /// <summary>Creates the cache at host start so the connection warms up before the first request.</summary>
    private sealed class RedisCacheStarter(RedisQuoteCache cache) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(cache);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
