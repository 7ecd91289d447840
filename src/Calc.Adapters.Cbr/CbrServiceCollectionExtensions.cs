using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Calc.Adapters.Cbr;

public static class CbrServiceCollectionExtensions
{
    /// <summary>
    /// Registers the CBR rate source when <c>MarketData:Upstreams:Cbr:Enabled</c> is true (off by default);
    /// <c>MarketData:Upstreams:Cbr:BaseUrl</c> overrides https://www.cbr.ru/.
    /// </summary>
    public static IServiceCollection AddCbrRates(this IServiceCollection services, IConfiguration configuration)
    {
        var upstream = configuration.GetSection($"{MarketDataOptions.Section}:Upstreams:Cbr").Get<UpstreamOptions>() ?? new UpstreamOptions();
        if (!upstream.Enabled)
        {
            return services;
        }

        services.AddHttpClient(CbrRateClient.HttpClientName, c => UpstreamHttp.Configure(c, upstream.BaseUrl ?? CbrRateClient.DefaultBaseUrl));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CbrRateClient>();
        services.AddSingleton<ICbrRateSource>(sp => sp.GetRequiredService<CbrRateClient>());
        return services;
    }
}
