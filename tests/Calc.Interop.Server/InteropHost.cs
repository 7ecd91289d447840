using System.Net;
using Calc.Interop.Testing;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServingStatus = Calc.Transport.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Calc.Interop;

/// <summary>
/// Builds the interop server: <c>grpc.testing.TestService</c>, health and reflection on Calc's transport with
/// Calc.Server's Kestrel settings (<see cref="GrpcKestrelExtensions.ApplyGrpcLimits"/>), h2c on 127.0.0.1.
/// </summary>
public static class InteropHost
{
    public static WebApplication Build(int port, Action<GrpcServerOptions>? configure = null, int? http1Port = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var options = new GrpcServerOptions();
        configure?.Invoke(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ApplyGrpcLimits(options);
            kestrel.ListenGrpc(IPAddress.Loopback, port, options);
            if (http1Port is { } p)
            {
                kestrel.ListenConnectHttp1(IPAddress.Loopback, p);
            }
        });
        builder.Services.AddRouting();
        builder.Services.AddCalcGrpc(configure);
        builder.Services.AddSingleton<InteropTestService>();

        var app = builder.Build();
        app.MapGrpcService<InteropTestService>(TestReflection.Descriptor.Services[0]);
        app.MapGrpcHealth();
        app.MapGrpcReflection();
        var health = app.Services.GetRequiredService<HealthStatusRegistry>();
        health.SetStatus("", ServingStatus.Serving);
        health.SetStatus("grpc.testing.TestService", ServingStatus.Serving);
        return app;
    }
}
