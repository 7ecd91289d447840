using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Server.Hosting;

/// <summary>Set once the host begins to stop.</summary>
public sealed class ShutdownState
{
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    internal void MarkStopping() => _stopping = true;
}

/// <summary>Unhealthy once the host is stopping, so /health and grpc.health.v1 report NOT_SERVING from then on.</summary>
public sealed class ShutdownHealthCheck(ShutdownState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Stopping ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy("accepting calls"));
}

/// <summary>
/// Graceful shutdown on SIGTERM/SIGINT: readiness goes NOT_SERVING first (grpc.health.v1 for the server and
/// every service, and /health), then after <c>Shutdown:DrainDelaySeconds</c> (time for load balancers to notice;
/// default 0) Kestrel stops accepting connections, sends HTTP/2 GOAWAY and lets in-flight calls and streams
/// finish for up to <c>Shutdown:GracePeriodSeconds</c> (default 30) before it aborts them and the process ends.
/// grpc.health.v1 (Grpc.AspNetCore.HealthChecks) answers Check from the live health checks, so it says
/// NOT_SERVING from the first moment, and ends open Watch streams with NOT_SERVING when stopping begins.
/// </summary>
public static partial class GracefulShutdown
{
    public static WebApplicationBuilder AddCalcGracefulShutdown(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var grace = TimeSpan.FromSeconds(builder.Configuration.GetValue("Shutdown:GracePeriodSeconds", 30.0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = grace);
        builder.Services.AddSingleton<ShutdownState>();
        builder.Services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown");
        return builder;
    }

    public static WebApplication UseCalcGracefulShutdown(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.Services.GetRequiredService<ShutdownState>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Calc.Server.Shutdown");
        var drain = TimeSpan.FromSeconds(app.Configuration.GetValue("Shutdown:DrainDelaySeconds", 0.0));
        var grace = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout;
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            state.MarkStopping();

            LogStopping(logger, drain.TotalSeconds, grace.TotalSeconds);
            if (drain > TimeSpan.Zero)
            {
                // ApplicationStopping callbacks run before the server stops: this keeps accepting while balancers drain
                Thread.Sleep(drain);
            }
        });
        app.Lifetime.ApplicationStopped.Register(() => LogStopped(logger));
        return app;
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information,
        Message = "Shutting down: readiness NOT_SERVING; draining {DrainSeconds} s, then GOAWAY and up to {GraceSeconds} s for in-flight calls")]
    private static partial void LogStopping(ILogger logger, double drainSeconds, double graceSeconds);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Stopped")]
    private static partial void LogStopped(ILogger logger);
}
