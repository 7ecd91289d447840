using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Binance;

/// <summary>Binance spot <c>GET /api/v3/klines?interval=1d</c>: UTC days, close at index 4 (string), max 1000 per request.</summary>
public sealed class BinanceClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<BinanceClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Binance, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.binance.com/");

    public override string Venue => "binance";

    protected override int PageSize => 1000;

    public override string Symbol(AssetPair pair) => pair.Base + pair.Quote;

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"api/v3/klines?symbol={symbol}&interval=1d&startTime={Inv(MarketClock.UnixMilliseconds(from))}&endTime={Inv(MarketClock.UnixMilliseconds(to.AddDays(1)) - 1)}&limit={PageSize}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        foreach (var k in root.EnumerateArray())
        {
            if (k.GetArrayLength() < 7)
            {
                throw new FormatException($"kline has {k.GetArrayLength()} fields, expected 12");
            }

            yield return new Candle(Ms(k[0]), Number(k[4]));
        }
    }
}
