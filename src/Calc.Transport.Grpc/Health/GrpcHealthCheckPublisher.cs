using Calc.Transport.Grpc.Binding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServingStatus = Calc.Transport.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Calc.Transport.Grpc.Health;

/// <summary>
/// Feeds <see cref="HealthStatusRegistry"/> from ASP.NET Core health checks: the overall server ("") is
/// SERVING unless a check is Unhealthy (Degraded, e.g. Redis down with the cache failing open, still serves),
/// and each check whose name looks like a gRPC service (<c>calc.v1.QuoteService</c>) gets its own status.
/// Register with <see cref="GrpcHealthCheckPublisherExtensions.AddGrpcHealthCheckPublisher"/>.
/// </summary>
public sealed class GrpcHealthCheckPublisher(HealthStatusRegistry registry, GrpcServiceRegistry services) : IHealthCheckPublisher
{
    /// <summary>
    /// A check named after a service (e.g. <c>calc.v1.QuoteService</c>) sets that service's status; every other
    /// mapped service follows the overall status, so a client checking its own service gets SERVING, not SERVICE_UNKNOWN.
    /// </summary>
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var overall = ToServing(report.Status);
        foreach (var service in services.Services)
        {
            var status = report.Entries.TryGetValue(service.FullName, out var own) ? ToServing(own.Status) : overall;
            registry.SetStatus(service.FullName, status);
        }

        foreach (var (name, entry) in report.Entries)
        {
            if (name.Contains('.', StringComparison.Ordinal))
            {
                registry.SetStatus(name, ToServing(entry.Status));
            }
        }

        registry.SetStatus("", overall);
        return Task.CompletedTask;
    }

    public static ServingStatus ToServing(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? ServingStatus.NotServing : ServingStatus.Serving;
}

public static class GrpcHealthCheckPublisherExtensions
{
    /// <summary>Publishes health check results to gRPC health every <paramref name="period"/> (default 5 s, first after 1 s).</summary>
    public static IServiceCollection AddGrpcHealthCheckPublisher(this IServiceCollection services, TimeSpan? period = null)
    {
        services.AddSingleton<IHealthCheckPublisher, GrpcHealthCheckPublisher>();
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = period ?? TimeSpan.FromSeconds(5);
        });
        return services;
    }
}
