using Calc.Application.MarketData;
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

        services.AddHttpClient(CbrRateClient.HttpClientName, c =>
        {
            c.BaseAddress = upstream.BaseUrl ?? CbrRateClient.DefaultBaseUrl;
            c.Timeout = Timeout.InfiniteTimeSpan; // each attempt has its own timeout
            c.MaxResponseContentBufferSize = Application.MarketData.Upstream.UpstreamHttp.MaxBodyBytes;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CbrRateClient>();
        services.AddSingleton<ICbrRateSource>(sp => sp.GetRequiredService<CbrRateClient>());
        return services;
    }
}
