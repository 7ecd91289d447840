using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Gate;

/// <summary>
/// Gate API v4 <c>GET /api/v4/spot/candlesticks?currency_pair=BTC_USDT&amp;interval=1d&amp;from&amp;to</c> (seconds):
/// rows <c>[t, quote volume, CLOSE, high, low, open, base volume, window closed]</c>, strings (close is index 2;
/// the eighth field, "true"/"false", says whether the candle is complete), at most 1000 points a query
/// (Gate API v4 docs, "Market K-line chart"). Candles are counted in UTC+0 (Gate maintainer,
/// gateio/gateapi-python issue 24). Errors are <c>{"label","message"}</c> with HTTP 4xx; 429 is retried.
/// </summary>
public sealed class GateClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<GateClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Gate, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.gateio.ws/");

    public override string Venue => "gate";

    protected override int PageSize => 1000;

    public override string Symbol(AssetPair pair) => pair.Base + "_" + pair.Quote;

    // from and to are the open times of the first and last candle wanted: both included, 1000 points at most
    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"api/v4/spot/candlesticks?currency_pair={symbol}&interval=1d&from={Inv(StartSeconds(from))}&to={Inv(StartSeconds(to))}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            string label = root.TryGetProperty("label", out var l) ? l.ToString() : "";
            string message = root.TryGetProperty("message", out var m) ? m.ToString() : "";
            throw VenueError(label == "TOO_MANY_REQUESTS" ? Reasons.UpstreamUnavailable : Reasons.UpstreamInvalidResponse, $"{label}: {message}");
        }

        foreach (var k in root.EnumerateArray())
        {
            if (k.GetArrayLength() < 6)
            {
                throw new FormatException($"candlestick has {k.GetArrayLength()} fields, expected 8");
            }

            bool? closed = k.GetArrayLength() >= 8 ? k[7].GetString() switch
            {
                "true" => true,
                "false" => false,
                var other => throw new FormatException($"window closed is '{other}'"),
            } : null;
            yield return new Candle(Seconds(k[0]), Number(k[2]), closed);
        }
    }
}
