using Google.Protobuf.Reflection;

namespace Calc.Transport.Grpc.Binding;

/// <summary>Every service mapped on this host (for reflection and for refusing a service mapped twice).</summary>
public sealed class GrpcServiceRegistry
{
    private readonly List<ServiceDescriptor> _services = [];
    private readonly Lock _gate = new();

    internal bool FallbackMapped { get; set; }

    public IReadOnlyList<ServiceDescriptor> Services
    {
        get
        {
            lock (_gate)
            {
                return [.. _services];
            }
        }
    }

    internal void Add(ServiceDescriptor service)
    {
        lock (_gate)
        {
            if (_services.Any(s => s.FullName == service.FullName))
            {
                throw new InvalidOperationException($"gRPC service {service.FullName} is mapped twice");
            }

            _services.Add(service);
        }
    }
}
