using Calc.Adapters.Exchanges.Binance;
using Calc.Adapters.Exchanges.Bitstamp;
using Calc.Adapters.Exchanges.Bybit;
using Calc.Adapters.Exchanges.Coinbase;
using Calc.Adapters.Exchanges.Common;
using Calc.Adapters.Exchanges.Gate;
using Calc.Adapters.Exchanges.Htx;
using Calc.Adapters.Exchanges.Kraken;
using Calc.Adapters.Exchanges.KuCoin;
using Calc.Adapters.Exchanges.Mexc;
using Calc.Adapters.Exchanges.Okx;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Calc.Adapters.Exchanges;

public static class ExchangesServiceCollectionExtensions
{
    /// <summary>
    /// Registers each venue client whose <c>MarketData:Upstreams:{Venue}:Enabled</c> is true (all off by
    /// default). <c>…:{Venue}:BaseUrl</c> overrides the public address (tests point it at a loopback fake).
    /// </summary>
    public static IServiceCollection AddExchanges(this IServiceCollection services, IConfiguration configuration)
    {
        Add<BinanceClient>(services, configuration, "Binance", "binance", BinanceClient.DefaultBaseUrl);
        Add<BybitClient>(services, configuration, "Bybit", "bybit", BybitClient.DefaultBaseUrl);
        Add<OkxClient>(services, configuration, "Okx", "okx", OkxClient.DefaultBaseUrl);
        Add<CoinbaseClient>(services, configuration, "Coinbase", "coinbase", CoinbaseClient.DefaultBaseUrl);
        Add<KrakenClient>(services, configuration, "Kraken", "kraken", KrakenClient.DefaultBaseUrl);
        Add<BitstampClient>(services, configuration, "Bitstamp", "bitstamp", BitstampClient.DefaultBaseUrl);
        Add<KuCoinClient>(services, configuration, "KuCoin", "kucoin", KuCoinClient.DefaultBaseUrl);
        Add<MexcClient>(services, configuration, "Mexc", "mexc", MexcClient.DefaultBaseUrl);
        Add<HtxClient>(services, configuration, "Htx", "htx", HtxClient.DefaultBaseUrl);
        Add<GateClient>(services, configuration, "Gate", "gate", GateClient.DefaultBaseUrl);
        return services;
    }

    private static void Add<TClient>(IServiceCollection services, IConfiguration configuration, string section, string venue, Uri defaultBaseUrl)
        where TClient : ExchangeClient
    {
        var upstream = configuration.GetSection($"{MarketDataOptions.Section}:Upstreams:{section}").Get<UpstreamOptions>() ?? new UpstreamOptions();
        if (!upstream.Enabled)
        {
            return;
        }

        services.AddHttpClient("calc-" + venue, c => UpstreamHttp.Configure(c, upstream.BaseUrl ?? defaultBaseUrl));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TClient>();
        services.AddSingleton<IExchangeCloseSource>(sp => sp.GetRequiredService<TClient>());
    }
}
