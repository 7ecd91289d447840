using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Calc.Server.Hosting;

/// <summary>
/// Calc's composition: each project contributes one Add…/Map… extension. Used by Program (the service) and
/// by in-process hosts such as the CLI's <c>--embedded</c> mode.
/// </summary>
public static class CalcHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.ConfigureCalcKestrel();                               // urls: gRPC over h2c; Http1Urls: JSON (transcoding), health
        builder.AddCalcLogging();                                     // structured JSON console logs
        builder.AddCalcTelemetry();                                   // Telemetry:Otlp:* → OTLP metrics and traces
        builder.Services.AddCalcApplication(builder.Configuration);   // rules, use cases, market data store and tiers
        builder.Services.AddCalcAdapters(builder.Configuration);      // Redis cache (optional), CBR and venue clients
        builder.Services.AddCalcTransport(builder.Configuration);     // Grpc.AspNetCore, JSON transcoding, interceptors
        builder.Services.AddCalcHealthChecks();
        builder.AddCalcGracefulShutdown();                            // Shutdown:GracePeriodSeconds, readiness NOT_SERVING first

        var app = builder.Build();

        app.ImportMarketData();                                       // MarketData__ImportPath, fails startup on a bad row
        app.UseCallerLimits();                                        // Limits:* per caller, before routing and before any body is read
        app.MapCalcServices();                                        // calc.v1 services, grpc.health.v1, reflection
        app.MapCalcHealthEndpoints();                                 // /alive and /health
        app.UseCalcTelemetry();                                       // server gauges; exporters start before the first call
        app.UseCalcGracefulShutdown();                                // SIGTERM: NOT_SERVING, drain, GOAWAY, grace period
        return app;
    }

    /// <summary>
    /// Starts Calc in this process on a free loopback port (gRPC h2c only) and returns once it listens.
    /// <paramref name="args"/> are configuration arguments as on the command line (e.g.
    /// <c>--MarketData:ImportPath=…</c>); listen addresses are chosen here.
    /// </summary>
    public static async Task<EmbeddedCalc> StartAsync(string[] args, CancellationToken cancellationToken = default)
    {
        string[] all = [.. args, "--urls=http://127.0.0.1:0", "--Http1Urls="];
        var app = Build(all);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new EmbeddedCalc(app, new Uri(addresses.First()));
    }
}

/// <summary>A Calc server running in this process.</summary>
public sealed class EmbeddedCalc(WebApplication app, Uri grpcAddress) : IAsyncDisposable
{
    /// <summary>The bound gRPC (h2c) address, e.g. http://127.0.0.1:41234.</summary>
    public Uri GrpcAddress { get; } = grpcAddress;

    public IServiceProvider Services => app.Services;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
