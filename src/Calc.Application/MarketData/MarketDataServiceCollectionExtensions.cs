using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Calc.Application.MarketData;

public static class MarketDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the tiered market data (<see cref="IMarketData"/> = <see cref="TieredMarketData"/>), its options
    /// (section <c>MarketData</c>), the store, a disabled shared cache unless one is registered, the write-through
    /// of imports to the shared cache (<see cref="Imports.ImportWriteThrough"/>), the readiness
    /// check <c>market-data</c> (tag <c>ready</c>) and — only when an upstream is enabled — the background sync.
    /// Upstream sources come from the adapters' <c>AddCbrRates</c> / <c>AddExchanges</c>.
    /// </summary>
    public static IServiceCollection AddCalcMarketData(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(MarketDataOptions.Section);
        services.Configure<MarketDataOptions>(section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MarketDataStore>();
        // the venues imports and lookups accept (MarketData:ExtraVenues; a malformed id stops startup here) and
        // the one validation of imported rows (import methods and startup files)
        services.TryAddSingleton(VenueRegistry.FromConfiguration(section));
        services.TryAddSingleton(sp => new Imports.ImportRules(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<VenueRegistry>()));
        services.TryAddSingleton<IQuoteCache>(NoQuoteCache.Instance);
        services.TryAddSingleton<Imports.ImportWriteThrough>(); // imports → shared cache, for the other replicas
        services.TryAddSingleton<UpstreamHealth>();
        services.TryAddSingleton<TieredMarketData>(); // takes the VenueRegistry (optional parameter, injected when registered)
        services.TryAddSingleton<IMarketData>(sp => sp.GetRequiredService<TieredMarketData>());
        services.AddHealthChecks().AddCheck<MarketDataHealthCheck>("market-data", tags: ["ready"]);
        bool anyUpstream = section.GetSection("Upstreams").GetChildren().Any(c => c.GetValue<bool>("Enabled"));
        if (anyUpstream && section.GetValue("Sync:Enabled", true))
        {
            services.AddSingleton<MarketDataSyncService>();
            services.AddHostedService(sp => sp.GetRequiredService<MarketDataSyncService>());
        }

        return services;
    }
}
