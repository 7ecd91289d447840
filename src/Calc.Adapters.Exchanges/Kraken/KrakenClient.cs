using System.Text.Json;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Exchanges.Kraken;

/// <summary>
/// Kraken <c>GET /0/public/OHLC?interval=1440&amp;since</c>: only the 720 most recent daily candles exist
/// (older days cannot be fetched at all, so they come back absent), the last one is the open day. Rows
/// <c>[time(s), open, high, low, close, vwap, volume, count]</c> under the legacy pair key (<c>XXBTZUSD</c>).
/// </summary>
public sealed class KrakenClient(IHttpClientFactory factory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<KrakenClient> logger)
    : ExchangeClient(factory, options.Value.Upstreams.Kraken, time, logger)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.kraken.com/");

    /// <summary>Daily candles Kraken keeps.</summary>
    public const int HistoryLimit = 720;

    public override string Venue => "kraken";

    protected override int PageSize => int.MaxValue;

    public override string Symbol(AssetPair pair) => Asset(pair.Base) + Asset(pair.Quote);

    protected override string PageUri(string symbol, DateOnly from, DateOnly to) =>
        $"0/public/OHLC?pair={symbol}&interval=1440&since={Inv(MarketClock.UnixSeconds(from) - 1)}";

    protected override IEnumerable<Candle> ParsePage(JsonElement root)
    {
        var errors = root.GetProperty("error");
        if (errors.GetArrayLength() > 0)
        {
            string all = string.Join("; ", errors.EnumerateArray().Select(e => e.GetString()));
            string reason = all.Contains("Unknown asset pair", StringComparison.Ordinal) ? Reasons.UnknownPair
                : all.Contains("Too many requests", StringComparison.Ordinal) || all.Contains("Rate limit", StringComparison.Ordinal) || all.Contains("Unavailable", StringComparison.Ordinal) || all.Contains("Busy", StringComparison.Ordinal)
                    ? Reasons.UpstreamUnavailable
                    : Reasons.UpstreamInvalidResponse;
            throw VenueError(reason, all);
        }

        var result = root.GetProperty("result");
        var series = result.EnumerateObject().Where(p => p.Name != "last").ToList();
        if (series.Count != 1)
        {
            throw new FormatException($"result holds {series.Count} pair series, expected 1");
        }

        foreach (var k in series[0].Value.EnumerateArray())
        {
            if (k.GetArrayLength() < 5)
            {
                throw new FormatException($"OHLC row has {k.GetArrayLength()} fields, expected 8");
            }

            yield return new Candle(Seconds(k[0]), Number(k[4]));
        }
    }

    private static string Asset(string code) => code switch
    {
        "BTC" => "XBT",
        "DOGE" => "XDG",
        _ => code,
    };
}
