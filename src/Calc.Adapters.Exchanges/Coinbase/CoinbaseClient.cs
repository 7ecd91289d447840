using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Coinbase;

/// <summary>
/// Coinbase Exchange <c>GET /products/{id}/candles?granularity=86400&amp;start&amp;end</c>: rows of numbers
/// <c>[time, low, high, open, close, volume]</c> (close is index 4; low comes first), newest first, at most
/// 300 per request; days without trades have no row.
/// </summary>
public sealed class CoinbaseClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<CoinbaseClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Coinbase, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.exchange.coinbase.com/");

    public override string Venue => "coinbase";

    protected override int PageSize => 300;

    public override string Symbol(AssetPair pair) => pair.Base + "-" + pair.Quote;

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"products/{symbol}/candles?granularity=86400&start={Iso(from)}&end={Iso(to)}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        foreach (var k in root.EnumerateArray())
        {
            if (k.GetArrayLength() != 6)
            {
                throw new FormatException($"candle has {k.GetArrayLength()} fields, expected 6");
            }

            yield return new Candle(Seconds(k[0]), Number(k[4]));
        }
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd'T00:00:00Z'", System.Globalization.CultureInfo.InvariantCulture);
}
