using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Errors;
using Calc.Transport.Grpc.Health;
using Calc.Transport.Grpc.Reflection;
using Calc.Transport.Grpc.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc;

/// <summary>Registers Calc's gRPC transport.</summary>
public static class GrpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds the transport: options (bind them with <see cref="AddCalcGrpc(IServiceCollection, IConfiguration, Action{GrpcServerOptions}?)"/>
    /// or configure here), the error mapper, telemetry (logging + metrics interceptor), the health registry and
    /// the reflection index. Services themselves are registered by the caller (scoped or singleton) or created per call.
    /// </summary>
    public static IServiceCollection AddCalcGrpc(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddMetrics();
        if (!services.Any(d => d.ServiceType == typeof(GrpcServiceLifetimes)))
        {
            services.AddSingleton(new GrpcServiceLifetimes(services));
        }

        services.TryAddSingleton<ErrorMapper>(sp => new ErrorMapper(
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ErrorMapper>>(),
            sp.GetRequiredService<IOptions<GrpcServerOptions>>().Value));
        services.TryAddSingleton<GrpcRuntime>();
        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<HealthStatusRegistry>();
        services.TryAddSingleton<GrpcHealthService>();
        services.TryAddSingleton<ReflectionIndex>();
        services.TryAddSingleton<ServerReflectionServiceV1>();
        services.TryAddSingleton<ServerReflectionServiceV1Alpha>();
        services.TryAddSingleton<GrpcTelemetryInterceptor>();
        return services;
    }

    /// <summary>As <see cref="AddCalcGrpc(IServiceCollection, Action{GrpcServerOptions}?)"/>, binding options from the <c>Grpc</c> section first.</summary>
    public static IServiceCollection AddCalcGrpc(this IServiceCollection services, IConfiguration configuration,
        Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GrpcServerOptions>().Bind(configuration.GetSection(GrpcServerOptions.SectionName));
        return services.AddCalcGrpc(configure);
    }
}
