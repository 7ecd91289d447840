using Calc.Application.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Adapters.Redis.Cache;

/// <summary>
/// Readiness view of the shared cache. Redis is an optimisation, so an outage is <c>Degraded</c>, never
/// <c>Unhealthy</c>: a replica without Redis still serves correct answers. On Redis, the data carries the
/// multiplexer's own counters (<see cref="RedisQuoteCache.Detail"/>).
/// </summary>
public sealed class QuoteCacheHealthCheck(IQuoteCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = cache is RedisQuoteCache redis ? redis.Detail() : null;
        return Task.FromResult(cache.State switch
        {
            CacheState.Disabled => HealthCheckResult.Healthy("shared quote cache disabled (embedded mode)"),
            CacheState.Connected => HealthCheckResult.Healthy("Redis quote cache connected", data),
            _ => HealthCheckResult.Degraded("Redis quote cache unreachable or slow; serving from memory and upstream sources", data: data),
        });
    }
}
