using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.KuCoin;

/// <summary>
/// KuCoin spot <c>GET /api/v1/market/candles?type=1day&amp;symbol=BTC-USDT&amp;startAt&amp;endAt</c> (seconds):
/// <c>{"code":"200000","data":[[time(s), open, CLOSE, high, low, volume, turnover], …]}</c>, strings, newest
/// first, at most 1500 rows a request ("page the data by time"). Note the order: the close is index 2, not 4.
/// Buckets are aligned to 00:00 UTC (a 1week bucket of the public API opens at Thursday 00:00 UTC,
/// Kucoin/kucoin-api-docs issue 350); a candle opening at any other time is rejected. Code 429000 is the
/// rate limit (retried); any other code is the venue's refusal.
/// </summary>
public sealed class KuCoinClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<KuCoinClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.KuCoin, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.kucoin.com/");

    private const string Success = "200000";

    /// <summary>Code of "too many requests" carried in the body.</summary>
    private const string RateLimited = "429000";

    public override string Venue => "kucoin";

    protected override int PageSize => 1500;

    public override string Symbol(AssetPair pair) => pair.Base + "-" + pair.Quote;

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"api/v1/market/candles?type=1day&symbol={symbol}&startAt={Inv(StartSeconds(from))}&endAt={Inv(StartSeconds(to.AddDays(1)) - 1)}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        string code = root.GetProperty("code").ToString();
        if (code != Success)
        {
            string message = root.TryGetProperty("msg", out var m) ? m.ToString() : "";
            throw VenueError(code == RateLimited ? Reasons.UpstreamUnavailable : Reasons.UpstreamInvalidResponse, $"code {code}: {message}");
        }

        foreach (var k in root.GetProperty("data").EnumerateArray())
        {
            if (k.GetArrayLength() < 7)
            {
                throw new FormatException($"candle has {k.GetArrayLength()} fields, expected 7");
            }

            yield return new Candle(Seconds(k[0]), Number(k[2]));
        }
    }
}
