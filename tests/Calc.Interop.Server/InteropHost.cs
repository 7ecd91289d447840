using System.Net;
using Calc.Interop.Testing;
using Calc.Transport.Grpc;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calc.Interop;

/// <summary>
/// Builds the interop server: <c>grpc.testing.TestService</c>, grpc.health.v1 and reflection on Grpc.AspNetCore
/// with Calc.Server's Kestrel settings (<see cref="GrpcKestrelExtensions.ApplyGrpcLimits"/>), h2c on 127.0.0.1.
/// Responses are gzip-compressed when the client accepts it (the interop compression cases), except where a
/// case asks for an uncompressed message.
/// </summary>
public static class InteropHost
{
    /// <param name="port">h2c port on 127.0.0.1 (0 = any free port).</param>
    /// <param name="configure">Transport options (defaults are Calc.Server's).</param>
    public static WebApplication Build(int port, Action<GrpcServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var options = new GrpcServerOptions();
        configure?.Invoke(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ApplyGrpcLimits(options);
            kestrel.ListenGrpc(IPAddress.Loopback, port, options);
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
            o.MaxSendMessageSize = options.MaxSendMessageSize;
            o.ResponseCompressionAlgorithm = "gzip";
            o.Interceptors.Add<EmptyResponseCompressionInterceptor>(); // as Calc.Server with Grpc:ResponseCompression
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", _ => true); // the server as a whole (an empty service name), as grpc.health.v1 defines
            o.Services.Map(TestService.Descriptor.FullName, _ => true);
        }).AddCheck("interop", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()); // without a check grpc.health.v1 answers UNKNOWN
        builder.Services.AddSingleton<InteropTestService>();

        var app = builder.Build();
        app.MapGrpcService<InteropTestService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
