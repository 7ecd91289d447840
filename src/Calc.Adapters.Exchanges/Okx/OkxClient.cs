using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Okx;

/// <summary>
/// OKX v5 <c>GET /api/v5/market/history-candles?bar=1Dutc</c> — <c>1Dutc</c>, the UTC day (<c>1D</c> is a
/// Hong Kong day). Rows <c>[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]</c>, newest first, max 100;
/// <c>after</c>/<c>before</c> are exclusive bounds; <c>confirm</c> "0" marks the open candle.
/// </summary>
public sealed class OkxClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<OkxClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Okx, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://www.okx.com/");

    /// <summary>Code of "too many requests" carried in the body.</summary>
    private const string RateLimited = "50011";

    public override string Venue => "okx";

    protected override int PageSize => 100;

    public override string Symbol(AssetPair pair) => pair.Base + "-" + pair.Quote;

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"api/v5/market/history-candles?instId={symbol}&bar=1Dutc&after={Inv(MarketClock.UnixMilliseconds(to.AddDays(1)))}&before={Inv(MarketClock.UnixMilliseconds(from) - 1)}&limit={PageSize}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        string code = root.GetProperty("code").GetString() ?? "";
        if (code != "0")
        {
            string message = root.TryGetProperty("msg", out var m) ? m.ToString() : "";
            throw VenueError(code == RateLimited ? Reasons.UpstreamUnavailable : Reasons.UpstreamInvalidResponse, $"code {code}: {message}");
        }

        foreach (var k in root.GetProperty("data").EnumerateArray())
        {
            if (k.GetArrayLength() < 9)
            {
                throw new FormatException($"candle has {k.GetArrayLength()} fields, expected 9");
            }

            string confirm = k[8].GetString() ?? "";
            if (confirm is not ("0" or "1"))
            {
                throw new FormatException($"confirm is '{confirm}'");
            }

            yield return new Candle(Ms(k[0]), Number(k[4]), confirm == "1");
        }
    }
}
