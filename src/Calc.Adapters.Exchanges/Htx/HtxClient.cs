using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Htx;

/// <summary>
/// HTX (Huobi) <c>GET /market/history/kline?symbol=btcusdt&amp;period=1day&amp;size=N</c>:
/// <c>{"status":"ok","ch":"market.btcusdt.kline.1day","ts":…,"data":[{"id":open(s),"open","close","low","high","amount","vol","count"}, …]}</c>,
/// numbers, newest first. There is no time range: only the <c>size</c> (1…2000) most recent candles, the
/// first being the open day, so one request covers everything that can be had (older days come back
/// absent, as on Kraken). The day is the UTC+8 day (candles open at 16:00 UTC; HTX has no UTC daily
/// candle): see <see cref="VenueDays"/>. Errors are <c>{"status":"error","err-code","err-msg"}</c> in a 200.
/// </summary>
public sealed class HtxClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<HtxClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Htx, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.huobi.pro/");

    /// <summary>Most daily candles HTX answers (the newest ones).</summary>
    public const int HistoryLimit = 2000;

    public override string Venue => "htx";

    protected override int PageSize => int.MaxValue;

    public override string Symbol(AssetPair pair) => (pair.Base + pair.Quote).ToLowerInvariant();

    protected override string PageUri(string symbol, DateOnly from, DateOnly to)
    {
        int wanted = VenueDays.DayOf(Venue, Time.GetUtcNow()).DayNumber - from.DayNumber + 1;
        return $"market/history/kline?symbol={symbol}&period=1day&size={Inv(Math.Clamp(wanted, 1, HistoryLimit))}";
    }

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        string status = root.GetProperty("status").GetString() ?? "";
        if (status != "ok")
        {
            string code = root.TryGetProperty("err-code", out var c) ? c.ToString() : "";
            string message = root.TryGetProperty("err-msg", out var m) ? m.ToString() : "";
            string reason = message.Contains("invalid symbol", StringComparison.OrdinalIgnoreCase) ? Reasons.UnknownPair
                : code.Contains("too-many", StringComparison.Ordinal) ? Reasons.UpstreamUnavailable
                : Reasons.UpstreamInvalidResponse;
            throw VenueError(reason, $"status {status}, {code}: {message}");
        }

        foreach (var k in root.GetProperty("data").EnumerateArray())
        {
            yield return new Candle(Seconds(k.GetProperty("id")), Number(k.GetProperty("close")));
        }
    }
}
