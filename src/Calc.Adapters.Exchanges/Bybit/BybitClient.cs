using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Bybit;

/// <summary>
/// Bybit v5 <c>GET /v5/market/kline?category=spot&amp;interval=D</c>: UTC days, <c>result.list</c> of string arrays
/// <c>[start, open, high, low, close, volume, turnover]</c>, newest first, max 1000 per request.
/// </summary>
public sealed class BybitClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<BybitClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Bybit, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.bybit.com/");

    /// <summary>retCode of "too many visits" (rate limit carried in a 200 answer).</summary>
    private const long RateLimited = 10006;

    public override string Venue => "bybit";

    protected override int PageSize => 1000;

    public override string Symbol(AssetPair pair) => pair.Base + pair.Quote;

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"v5/market/kline?category=spot&symbol={symbol}&interval=D&start={Inv(MarketClock.UnixMilliseconds(from))}&end={Inv(MarketClock.UnixMilliseconds(to))}&limit={PageSize}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        long code = Integer(root.GetProperty("retCode"));
        if (code != 0)
        {
            string message = root.TryGetProperty("retMsg", out var m) ? m.ToString() : "";
            throw VenueError(code == RateLimited ? Reasons.UpstreamUnavailable : Reasons.UpstreamInvalidResponse, $"retCode {code}: {message}");
        }

        foreach (var k in root.GetProperty("result").GetProperty("list").EnumerateArray())
        {
            if (k.GetArrayLength() < 5)
            {
                throw new FormatException($"kline has {k.GetArrayLength()} fields, expected 7");
            }

            yield return new Candle(Ms(k[0]), Number(k[4]));
        }
    }
}
