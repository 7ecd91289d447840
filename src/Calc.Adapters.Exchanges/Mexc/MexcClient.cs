using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Mexc;

/// <summary>
/// MEXC spot v3 <c>GET /api/v3/klines?symbol=BTCUSDT&amp;interval=1d&amp;startTime&amp;endTime&amp;limit</c> (ms):
/// rows <c>[open time, open, high, low, close, volume, close time, quote volume]</c> (8 fields, close at index
/// 4), limit default 500, max 1000 (MEXC spot v3 docs, "Kline/Candlestick Data"). Day candles are taken to
/// open at 00:00 UTC like every MEXC timestamp; a candle opening at any other time is rejected rather than
/// mis-dated. Errors come as <c>{"code":…,"msg":…}</c> (HTTP 4xx, or carried in a 200); 429 is retried.
/// </summary>
public sealed class MexcClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<MexcClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Mexc, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.mexc.com/");

    public override string Venue => "mexc";

    protected override int PageSize => 1000;

    public override string Symbol(AssetPair pair) => pair.Base + pair.Quote;

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"api/v3/klines?symbol={symbol}&interval=1d&startTime={Inv(MarketClock.UnixMilliseconds(from))}&endTime={Inv(MarketClock.UnixMilliseconds(to.AddDays(1)) - 1)}&limit={PageSize}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            string code = root.TryGetProperty("code", out var c) ? c.ToString() : "";
            string message = root.TryGetProperty("msg", out var m) ? m.ToString() : "";
            throw VenueError(code == "429" ? Reasons.UpstreamUnavailable : Reasons.UpstreamInvalidResponse, $"code {code}: {message}");
        }

        foreach (var k in root.EnumerateArray())
        {
            if (k.GetArrayLength() < 7)
            {
                throw new FormatException($"kline has {k.GetArrayLength()} fields, expected 8");
            }

            yield return new Candle(Ms(k[0]), Number(k[4]));
        }
    }
}
