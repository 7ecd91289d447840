using Calc.Application.MarketData;
using Calc.Application.Quotes;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Services.Calc;

namespace Calc.Server.Hosting;

/// <summary>Registration of Calc's application, adapters and transport.</summary>
public static class CalcServices
{
    public static WebApplicationBuilder AddCalcLogging(this WebApplicationBuilder builder)
    {
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

        return builder;
    }

    public static IServiceCollection AddCalcApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MarketDataStore>();
        services.AddSingleton<IMarketData, StoreMarketData>();
        services.AddSingleton<QuoteQueries>();
        return services;
    }

    public static IServiceCollection AddCalcAdapters(this IServiceCollection services, IConfiguration configuration) => services;

    public static IServiceCollection AddCalcTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCalcGrpc(configuration);
        services.AddSingleton<QuoteGrpcService>();
        return services;
    }

    public static IServiceCollection AddCalcHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks();
        return services;
    }

    public static WebApplication MapCalcServices(this WebApplication app)
    {
        app.MapGrpcService<QuoteGrpcService>(V1.QuotesReflection.Descriptor.Services[0]);
        app.MapGrpcHealth();
        app.MapGrpcReflection();
        return app;
    }

    public static WebApplication MapCalcHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/alive", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/health");
        return app;
    }
}
