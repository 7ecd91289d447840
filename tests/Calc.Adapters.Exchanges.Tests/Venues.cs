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
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Tests;

internal static class Venues
{
    public static readonly TheoryData<string> All = new() { "binance", "bybit", "okx", "coinbase", "kraken", "bitstamp", "kucoin", "mexc", "htx", "gate" };

    /// <summary>The four venues of the FNS list added with issue 19.</summary>
    public static readonly TheoryData<string> FnsAdded = new() { "kucoin", "mexc", "htx", "gate" };

    public static AssetPair PairOf(string venue) => venue is "coinbase" or "kraken" or "bitstamp" ? new AssetPair("BTC", "USD") : new AssetPair("BTC", "USDT");

    public static UpstreamOptions Fast(Uri baseUrl, int attempts = 2) => new()
    {
        Enabled = true,
        BaseUrl = baseUrl,
        Timeout = TimeSpan.FromSeconds(5),
        MaxAttempts = attempts,
        BaseRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
    };

    public static ExchangeClient Create(string venue, IHttpClientFactory factory, TimeProvider time, UpstreamOptions upstream)
    {
        var o = new MarketDataOptions();
        var u = o.Upstreams;
        var opts = Options.Create(o);
        switch (venue)
        {
            case "binance": u.Binance = upstream; return new BinanceClient(factory, opts, time, NullLogger<BinanceClient>.Instance);
            case "bybit": u.Bybit = upstream; return new BybitClient(factory, opts, time, NullLogger<BybitClient>.Instance);
            case "okx": u.Okx = upstream; return new OkxClient(factory, opts, time, NullLogger<OkxClient>.Instance);
            case "coinbase": u.Coinbase = upstream; return new CoinbaseClient(factory, opts, time, NullLogger<CoinbaseClient>.Instance);
            case "kraken": u.Kraken = upstream; return new KrakenClient(factory, opts, time, NullLogger<KrakenClient>.Instance);
            case "bitstamp": u.Bitstamp = upstream; return new BitstampClient(factory, opts, time, NullLogger<BitstampClient>.Instance);
            case "kucoin": u.KuCoin = upstream; return new KuCoinClient(factory, opts, time, NullLogger<KuCoinClient>.Instance);
            case "mexc": u.Mexc = upstream; return new MexcClient(factory, opts, time, NullLogger<MexcClient>.Instance);
            case "htx": u.Htx = upstream; return new HtxClient(factory, opts, time, NullLogger<HtxClient>.Instance);
            case "gate": u.Gate = upstream; return new GateClient(factory, opts, time, NullLogger<GateClient>.Instance);
            default: throw new ArgumentOutOfRangeException(nameof(venue), venue, null);
        }
    }

    /// <summary>Real Binance BTCUSDT daily closes around the 2024/25 year end.</summary>
    public static SortedDictionary<DateOnly, decimal> YearEnd() => new()
    {
        [new DateOnly(2024, 12, 28)] = 95300.0m,
        [new DateOnly(2024, 12, 29)] = 93738.2m,
        [new DateOnly(2024, 12, 30)] = 92792.05m,
        [new DateOnly(2024, 12, 31)] = 93576.0m,
        [new DateOnly(2025, 1, 1)] = 94591.79m,
        [new DateOnly(2025, 1, 2)] = 96984.79m,
    };

    public static DateTimeOffset Noon(DateOnly day) => new(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
}
