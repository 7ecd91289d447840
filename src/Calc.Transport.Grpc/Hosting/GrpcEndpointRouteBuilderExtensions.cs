using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Health;
using Calc.Transport.Grpc.Health.V1;
using Calc.Transport.Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Calc.Transport.Grpc;

/// <summary>Maps gRPC services onto endpoint routing: one POST route per rpc, plus an UNIMPLEMENTED fallback.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Order of the fallback route: after every other route of the host.</summary>
    private const int FallbackOrder = 1_000_000;

    /// <summary>
    /// Maps every rpc of <paramref name="descriptor"/> to <typeparamref name="TService"/> (see <c>ServiceBinder</c>
    /// for the method signatures). Validation happens here, so a mismatch stops startup with a clear message.
    /// The returned builder applies conventions (authorization, metadata) to all the service's routes.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints,
        ProtoServiceDescriptor descriptor) where TService : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(descriptor);
        var sp = endpoints.ServiceProvider;
        var runtime = sp.GetService<GrpcRuntime>()
            ?? throw new InvalidOperationException("call services.AddCalcGrpc() before MapGrpcService");
        var registry = sp.GetRequiredService<GrpcServiceRegistry>();
        var lifetime = sp.GetRequiredService<GrpcServiceLifetimes>().LifetimeOf(typeof(TService));
        var methods = ServiceBinder.Bind<TService>(descriptor, lifetime, sp);
        registry.Add(descriptor);

        var builders = new List<IEndpointConventionBuilder>(methods.Count);
        foreach (var method in methods)
        {
            var endpoint = new GrpcEndpoint(method, runtime);
            builders.Add(endpoints.MapPost(method.Path, endpoint.HandleAsync)
                .WithDisplayName("gRPC " + method.Path)
                .WithMetadata(method.Descriptor));
        }

        MapFallbackOnce(endpoints, runtime, registry);
        return new CompositeConventionBuilder(builders);
    }

    /// <summary>Maps <c>grpc.health.v1.Health</c> (Check and Watch), fed by <see cref="HealthStatusRegistry"/>.</summary>
    public static IEndpointConventionBuilder MapGrpcHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<GrpcHealthService>(HealthReflection.Descriptor.Services[0]);

    /// <summary>
    /// Maps server reflection (<c>grpc.reflection.v1</c> and <c>v1alpha</c>) over every mapped service's file,
    /// plus any extra <paramref name="files"/> (e.g. message-only files).
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcReflection(this IEndpointRouteBuilder endpoints,
        params Google.Protobuf.Reflection.FileDescriptor[] files)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.ServiceProvider.GetRequiredService<ReflectionIndex>().AddFiles(files);
        var v1 = endpoints.MapGrpcService<ServerReflectionServiceV1>(
            Reflection.V1.ReflectionReflection.Descriptor.Services[0]);
        var v1alpha = endpoints.MapGrpcService<ServerReflectionServiceV1Alpha>(
            Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0]);
        return new CompositeConventionBuilder([v1, v1alpha]);
    }

    private static void MapFallbackOnce(IEndpointRouteBuilder endpoints, GrpcRuntime runtime, GrpcServiceRegistry registry)
    {
        if (registry.FallbackMapped)
        {
            return;
        }

        registry.FallbackMapped = true;
        var unimplemented = new UnimplementedEndpoint(runtime);
        endpoints.MapPost("/{service}/{method}", unimplemented.HandleAsync)
            .WithDisplayName("gRPC unimplemented")
            .Add(b => ((RouteEndpointBuilder)b).Order = FallbackOrder);
    }

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
