using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Application.MarketData;

/// <summary>
/// Readiness of market data: each configured upstream by the outcome of its last call, and the shared cache.
/// A failing source or an unreachable cache is <see cref="HealthStatus.Degraded"/> (lookups still answer from
/// the other tiers, with a reason per missing item), never Unhealthy.
/// </summary>
public sealed class MarketDataHealthCheck(UpstreamHealth upstreams, IQuoteCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["cache"] = cache.State.ToString() };
        var failing = new List<string>();
        foreach (var (source, status) in upstreams.Snapshot())
        {
            data[source] = status switch
            {
                null => "not called yet",
                { Reachable: true } => $"ok at {status.At:O}",
                _ => $"failing since {status.At:O}: {status.Error}",
            };
            if (status is { Reachable: false })
            {
                failing.Add(source);
            }
        }

        if (cache.State == CacheState.Degraded)
        {
            failing.Add("cache");
        }

        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy("market data sources reachable", data)
            : HealthCheckResult.Degraded("degraded: " + string.Join(", ", failing), data: data));
    }
}
