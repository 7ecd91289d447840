using Calc.Transport.Grpc.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc.Binding;

/// <summary>What every call needs from the host, resolved once: options, the error mapper, the interceptors.</summary>
internal sealed class GrpcRuntime(IOptions<GrpcServerOptions> options, ErrorMapper errors, IServiceProvider services)
{
    private IGrpcServerInterceptor[]? _interceptors;

    public GrpcServerOptions Options { get; } = options.Value;

    public ErrorMapper Errors { get; } = errors;

    /// <summary>
    /// The built-in telemetry interceptor (unless <see cref="GrpcServerOptions.EnableTelemetry"/> is off), then the
    /// registered singleton interceptors in registration order; resolved on first use, after the host is built.
    /// </summary>
    public IGrpcServerInterceptor[] Interceptors => _interceptors ??= Resolve();

    private IGrpcServerInterceptor[] Resolve()
    {
        var registered = services.GetServices<IGrpcServerInterceptor>();
        return Options.EnableTelemetry
            ? [services.GetRequiredService<Telemetry.GrpcTelemetryInterceptor>(), .. registered]
            : [.. registered];
    }
}
