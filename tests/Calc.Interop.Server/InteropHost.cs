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
    /// <param name="port">h2c port on 127.0.0.1 (0 = any free port).</param>
    /// <param name="configure">Transport options (defaults are Calc.Server's).</param>
    /// <param name="http1Port">Optional HTTP/1.1 port for Connect clients.</param>
    /// <param name="services">Extra DI registrations.</param>
    /// <param name="bench">Also map the benchmark baseline endpoints (<see cref="BenchEndpoints"/>).</param>
    /// <param name="extend">Extra services and routes (tests map probe services this way).</param>
    public static WebApplication Build(int port, Action<GrpcServerOptions>? configure = null, int? http1Port = null,
        Action<IServiceCollection>? services = null, Action<WebApplication>? extend = null, bool bench = false)
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
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapGrpcService<InteropTestService>(TestReflection.Descriptor.Services[0]);
        extend?.Invoke(app);
        if (bench)
        {
            BenchEndpoints.Map(app);
        }

        app.MapGrpcHealth();
        app.MapGrpcReflection();
        var health = app.Services.GetRequiredService<HealthStatusRegistry>();
        health.SetStatus("", ServingStatus.Serving);
        health.SetStatus("grpc.testing.TestService", ServingStatus.Serving);
        return app;
    }
}
