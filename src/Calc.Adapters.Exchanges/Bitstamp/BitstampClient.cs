using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Bitstamp;

/// <summary>
/// Bitstamp <c>GET /api/v2/ohlc/{pair}/?step=86400</c>: <c>data.ohlc</c> objects with string fields, max 1000
/// per request; the open candle is excluded on request (and treated as not final regardless).
/// </summary>
public sealed class BitstampClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<BitstampClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Bitstamp, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://www.bitstamp.net/");

    public override string Venue => "bitstamp";

    protected override int PageSize => 1000;

#pragma warning disable CA1308 // Bitstamp market symbols are lower-case by definition
    public override string Symbol(AssetPair pair) => (pair.Base + pair.Quote).ToLowerInvariant();
#pragma warning restore CA1308

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"api/v2/ohlc/{symbol}/?step=86400&limit={PageSize}&start={Inv(MarketClock.UnixSeconds(from))}&end={Inv(MarketClock.UnixSeconds(to))}&exclude_current_candle=true";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        foreach (var k in root.GetProperty("data").GetProperty("ohlc").EnumerateArray())
        {
            yield return new Candle(Seconds(k.GetProperty("timestamp")), Number(k.GetProperty("close")));
        }
    }
}
