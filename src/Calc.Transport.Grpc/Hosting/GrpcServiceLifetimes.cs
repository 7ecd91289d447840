using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// Remembers the service collection so that, when services are mapped (after the host is built), the binder
/// knows how each service class was registered: singleton (resolved once), scoped/transient (per call), or
/// not at all (created per call).
/// </summary>
internal sealed class GrpcServiceLifetimes(IServiceCollection services)
{
    public ServiceLifetime? LifetimeOf(Type serviceType)
    {
        ServiceLifetime? lifetime = null;
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == serviceType && !descriptor.IsKeyedService)
            {
                lifetime = descriptor.Lifetime; // the last registration wins, as in DI
            }
        }

        return lifetime;
    }
}
