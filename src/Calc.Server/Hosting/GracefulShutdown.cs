using System.Collections.Concurrent;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServingStatus = Calc.Transport.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Calc.Server.Hosting;

/// <summary>Set once the host begins to stop.</summary>
public sealed class ShutdownState
{
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    internal void MarkStopping() => _stopping = true;
}

/// <summary>
/// The open <c>grpc.health.v1.Health/Watch</c> streams. They never end by themselves, so at shutdown — after the
/// watchers were sent NOT_SERVING — they are reset; otherwise every balancer's watch would hold the process for
/// the whole grace period.
/// </summary>
public sealed class HealthWatchTracker : IGrpcServerInterceptor
{
    private const string WatchMethod = "/grpc.health.v1.Health/Watch";
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();

    public int Open => _open.Count;

    public ValueTask OnCallStartingAsync(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Method == WatchMethod)
        {
            _open.TryAdd(context.HttpContext, 0);
        }

        return ValueTask.CompletedTask;
    }

    public void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Method == WatchMethod)
        {
            _open.TryRemove(context.HttpContext, out _);
        }
    }

    /// <summary>Resets every open watch stream (RST_STREAM); returns how many.</summary>
    public int AbortAll()
    {
        int n = 0;
        foreach (var http in _open.Keys)
        {
            if (_open.TryRemove(http, out _))
            {
                try
                {
                    http.Abort();
                    n++;
                }
                catch (ObjectDisposedException)
                {
                    // the watch ended on its own meanwhile
                }
            }
        }

        return n;
    }
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
/// Open health Watch streams are reset once they have been sent NOT_SERVING (<see cref="HealthWatchTracker"/>).
/// </summary>
public static partial class GracefulShutdown
{
    private static readonly TimeSpan WatchFlushDelay = TimeSpan.FromMilliseconds(200);

    public static WebApplicationBuilder AddCalcGracefulShutdown(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var grace = TimeSpan.FromSeconds(builder.Configuration.GetValue("Shutdown:GracePeriodSeconds", 30.0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = grace);
        builder.Services.AddSingleton<ShutdownState>();
        builder.Services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown");
        builder.Services.AddSingleton<HealthWatchTracker>();
        builder.Services.AddSingleton<IGrpcServerInterceptor>(sp => sp.GetRequiredService<HealthWatchTracker>());
        return builder;
    }

    public static WebApplication UseCalcGracefulShutdown(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.Services.GetRequiredService<ShutdownState>();
        var registry = app.Services.GetRequiredService<HealthStatusRegistry>();
        var watches = app.Services.GetRequiredService<HealthWatchTracker>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Calc.Server.Shutdown");
        var drain = TimeSpan.FromSeconds(app.Configuration.GetValue("Shutdown:DrainDelaySeconds", 0.0));
        var grace = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout;
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            state.MarkStopping();
            registry.SetStatus("", ServingStatus.NotServing);
            foreach (var name in CalcServices.ServiceNames)
            {
                registry.SetStatus(name, ServingStatus.NotServing);
            }

            LogStopping(logger, drain.TotalSeconds, grace.TotalSeconds);
            if (drain > TimeSpan.Zero)
            {
                // ApplicationStopping callbacks run before the server stops: this keeps accepting while balancers drain
                Thread.Sleep(drain);
            }

            if (watches.Open > 0)
            {
                Thread.Sleep(WatchFlushDelay); // let the NOT_SERVING update reach the watchers first
                LogWatchesReset(logger, watches.AbortAll());
            }
        });
        app.Lifetime.ApplicationStopped.Register(() => LogStopped(logger));
        return app;
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information,
        Message = "Shutting down: readiness NOT_SERVING; draining {DrainSeconds} s, then GOAWAY and up to {GraceSeconds} s for in-flight calls")]
    private static partial void LogStopping(ILogger logger, double drainSeconds, double graceSeconds);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Reset {Count} open grpc.health.v1 Watch streams (they would hold the grace period)")]
    private static partial void LogWatchesReset(ILogger logger, int count);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Stopped")]
    private static partial void LogStopped(ILogger logger);
}
