using System.Diagnostics.Metrics;
using Calc.Adapters.Redis.Cache;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Calc.Server.Hosting;

/// <summary>
/// Gauges of the server's own state, meter <c>Calc.Server</c>: <c>calc.market_data.closes</c> and
/// <c>calc.market_data.cbr_rates</c> (held in the store), <c>calc.quote_cache.state</c> (0 disabled (embedded), 1 connected,
/// 2 degraded — the <see cref="CacheState"/> value), <c>calc.upstream.reachable</c> (1/0 by source),
/// <c>calc.limits.tracked_callers</c> and <c>calc.limits.buffered_request_bytes</c> (<see cref="CallerLimits"/>, which also
/// counts <c>calc.limits.refused</c>).
/// </summary>
public sealed class CalcServerMetrics : IDisposable
{
    public const string MeterName = "Calc.Server";

    private readonly Meter _meter;

    public CalcServerMetrics(IMeterFactory meters, MarketDataStore store, IQuoteCache cache, UpstreamHealth upstreams, CallerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("calc.market_data.closes", () => store.CloseCount, "{close}", "Daily closes held in the market data store");
        _meter.CreateObservableGauge("calc.market_data.cbr_rates", () => store.CbrRateCount, "{rate}", "CBR rates held in the market data store");
        _meter.CreateObservableGauge("calc.quote_cache.state", () => (int)cache.State, "{state}", "Quote cache tier state (CacheState value)");
        _meter.CreateObservableGauge("calc.upstream.reachable", () => upstreams.Snapshot()
            .Where(s => s.Status is not null)
            .Select(s => new Measurement<int>(s.Status!.Reachable ? 1 : 0, new KeyValuePair<string, object?>("source", s.Source))),
            "{bool}", "Whether the last call to an upstream source succeeded");
        _meter.CreateObservableGauge("calc.limits.tracked_callers", () => limits.TrackedCallers, "{caller}", "Callers tracked by the per-caller limits");
        _meter.CreateObservableGauge("calc.limits.buffered_request_bytes", () => limits.BufferedBytes, "By", "Request bytes held for unfinished messages and bodies");
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// OpenTelemetry export over OTLP, on when <c>Telemetry:Otlp:Endpoint</c> (or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) is set: metrics of the transport (<c>Calc.Transport.Grpc</c>), the server
/// and its caches (<c>Calc.Server</c>), Kestrel, ASP.NET Core, HttpClient and the runtime; traces of ASP.NET Core
/// requests and outgoing upstream HTTP calls. <c>Telemetry:Otlp:Protocol</c> is <c>grpc</c> (default) or
/// <c>http/protobuf</c>; <c>Telemetry:Otlp:MetricsIntervalMs</c> the export period (default 15000).
/// Logs stay structured JSON on stdout (<c>Logging:Json</c>).
/// </summary>
public static class Telemetry
{
    private static readonly string[] Meters =
    [
        "Calc.Transport.Grpc", CalcServerMetrics.MeterName, "Calc.Application", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Diagnostics", "System.Net.Http", "System.Runtime",
    ];

    private static readonly string[] Sources = ["Microsoft.AspNetCore", "System.Net.Http"];

    public static WebApplicationBuilder AddCalcTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<CalcServerMetrics>();
        var otlp = builder.Configuration.GetSection("Telemetry:Otlp");
        string? endpoint = otlp["Endpoint"] is { Length: > 0 } e ? e : Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            return builder;
        }

        var protocol = otlp["Protocol"] is "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        int intervalMs = otlp.GetValue("MetricsIntervalMs", 15_000);
        string service = otlp["ServiceName"] ?? "calc";
        builder.Services.AddSingleton(sp => new OtlpProviders(
            Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService(service))
                .AddMeter(Meters)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, endpoint, protocol, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMs;
                })
                .Build(),
            Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService(service))
                .AddSource(Sources)
                .AddCalcRedisTracing(sp) // StackExchange.Redis command spans, when Redis is configured
                .AddOtlpExporter(exporter => Configure(exporter, endpoint, protocol, "v1/traces"))
                .Build()));
        return builder;
    }

    /// <summary>Creates the gauges and, when configured, the exporters before the first call.</summary>
    public static WebApplication UseCalcTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<CalcServerMetrics>();
        _ = app.Services.GetService<OtlpProviders>();
        return app;
    }

    private static void Configure(OtlpExporterOptions exporter, string endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;
        // http/protobuf posts each signal to its own path under the base endpoint; gRPC uses the endpoint as is
        exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath)
            : new Uri(endpoint);
    }

    /// <summary>The meter and tracer providers; disposed (flushing what is buffered) when the host stops.</summary>
    private sealed class OtlpProviders(MeterProvider? meters, TracerProvider? traces) : IDisposable
    {
        public void Dispose()
        {
            meters?.Dispose();
            traces?.Dispose();
        }
    }
}
