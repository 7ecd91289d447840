using Calc.Application.Collateral;
using Calc.Application.Imports;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Quotes;
using Calc.Application.Tax;
using Calc.Application.Valuation;
using Calc.Adapters.Cbr;
using Calc.Adapters.Exchanges;
using Calc.Adapters.Redis.Cache;
using Calc.Domain.Rules;
using Calc.Transport.Grpc;
using Grpc.AspNetCore.Server;

namespace Calc.Server.Hosting;

/// <summary>Registration of Calc's application, adapters and transport.</summary>
public static class CalcServices
{
    /// <summary>
    /// Structured JSON console logs (<c>Logging:Json</c>, default true) under <see cref="LogPolicy"/>: framework
    /// per-request lines at Warning unless configured otherwise, configured API keys redacted.
    /// </summary>
    public static WebApplicationBuilder AddCalcLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        LogPolicy.AddDefaultLevels(builder.Configuration);
        if (builder.Configuration.GetValue("Logging:Json", true))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }

        // Kestrel's hosting layer creates an Activity and a log scope for every request while its category is
        // enabled at any level, only to log "Request starting/finished" (Information), which the per-call event
        // (calc.grpc.server, 2101-2103) already covers: ~4 % of the server's CPU per unary call in a profile
        // (load-tests/README.md). While the configured level would hide those lines anyway (Warning, the default),
        // the category is off; tracing (Telemetry:Otlp) still gets its activities.
        if (ConfiguredLevel(builder.Configuration, "Microsoft.AspNetCore.Hosting.Diagnostics") >= LogLevel.Warning)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        }

        LogPolicy.RedactConsole(builder.Logging, [.. ApiKeyEntries.Read(builder.Configuration).Select(e => e.Key)]);
        return builder;
    }

    /// <summary>The <c>Logging:LogLevel</c> that applies to <paramref name="category"/>: its own key, else the nearest dotted prefix's, else <c>Default</c> (Information when unset).</summary>
    internal static LogLevel ConfiguredLevel(IConfiguration configuration, string category)
    {
        for (string? name = category; name is not null; name = name.LastIndexOf('.') is > 0 and var dot ? name[..dot] : null)
        {
            if (configuration[$"Logging:LogLevel:{name}"] is { } value)
            {
                return Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) ? level : LogLevel.Information;
            }
        }

        return Enum.TryParse<LogLevel>(configuration["Logging:LogLevel:Default"], ignoreCase: true, out var fallback) ? fallback : LogLevel.Information;
    }

    public static IServiceCollection AddCalcApplication(this IServiceCollection services, IConfiguration configuration)
    {
        // the rule set is loaded and validated once, at startup: a bad parameter file stops the process
        services.AddSingleton(_ => RuleSetLoader.LoadEmbedded());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(configuration.GetSection("Valuation").Get<ValuationOptions>() ?? new ValuationOptions());
        services.AddCalcMarketData(configuration); // store → Redis → upstreams, single flight, background sync
        services.AddSingleton<Pricer>();
        services.AddSingleton<QuoteQueries>();
        services.AddSingleton<ImportCommands>();
        services.AddSingleton<IncomeRecognition>();
        services.AddSingleton<TaxComputations>();
        services.AddSingleton<CollateralValuations>();
        return services;
    }

    public static IServiceCollection AddCalcAdapters(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddCalcRedisCache(configuration["Redis:Configuration"], configuration["Redis:TrustIssuer"])   // empty = in-process only (embedded default)
            .AddCbrRates(configuration)       // MarketData:Upstreams:Cbr (off by default)
            .AddExchanges(configuration);     // MarketData:Upstreams:{Binance,Bybit,Okx,Coinbase,Kraken,Bitstamp} (off by default)

    public static IServiceCollection AddCalcTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCalcGrpc(configuration);                    // Grpc.AspNetCore, JSON transcoding, reflection, OpenAPI, calc.v1 services
        services.AddCallInterceptor<ApiKeyInterceptor>();       // Auth:* (skipped per call when no key is configured)
        services.AddSingleton<CallerLimits>();                  // Limits:* per caller, applied before the body is read (UseCallerLimits)
        return services;
    }

    public static IServiceCollection AddCalcHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck("self", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<RulesHealthCheck>("rules")
            .AddCalcQuoteCacheCheck("ready");  // Redis down → Degraded, never Unhealthy
        // grpc.health.v1 follows the checks: SERVING unless one is Unhealthy; the calc.v1 services are known
        // (NOT_SERVING until ready, never NOT_FOUND); Check runs the checks live (no cache)
        services.AddGrpcHealthChecks(o =>
        {
            o.UseHealthChecksCache = false;
            foreach (var name in ServiceNames)
            {
                o.Services.Map(name, _ => true);
            }
        });
        return services;
    }

    /// <summary>The calc.v1 services this host maps (full names, as grpc.health.v1 knows them).</summary>
    public static IReadOnlyList<string> ServiceNames { get; } =
    [
        V1.QuotesReflection.Descriptor.Services[0].FullName,
        V1.IncomeReflection.Descriptor.Services[0].FullName,
        V1.TaxReflection.Descriptor.Services[0].FullName,
        V1.CollateralReflection.Descriptor.Services[0].FullName,
    ];

    public static WebApplication MapCalcServices(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<RuleSet>(); // load and validate the rules before accepting calls
        PolicyLog.Write(app.Services);                   // the §11 policy defaults this server answers with
        app.UseCalcGrpc();                               // gRPC request middleware, JSON error pages, routing, gRPC-Web, JSON body check
        app.MapCalcGrpc();                               // calc.v1 (gRPC, gRPC-Web, JSON), reflection, /openapi/v1.json
        app.MapGrpcHealthChecksService();
        return app;
    }

    public static WebApplication MapCalcHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/alive", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthJson.WriteAsync });
        return app;
    }
}
