using System.Globalization;
using System.Text.Json;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;

namespace Calc.Adapters.Exchanges.Common;

/// <summary>A daily candle as a venue reports it: open time (must be 00:00 of the venue's day zone), close, and whether the venue calls it final.</summary>
public readonly record struct Candle(DateTimeOffset OpenTime, decimal Close, bool? Confirmed = null);

/// <summary>
/// The shared shape of a venue client: the range is cut into pages of at most <see cref="PageSize"/> days,
/// each page is one GET (through <see cref="UpstreamHttp"/>: timeout, retries, Retry-After), candles must
/// open at 00:00 of the venue's day zone (UTC, or UTC+8 for HTX: <see cref="VenueDays"/>), and the venue's
/// current day is never final (nor anything the venue marks unconfirmed).
/// </summary>
public abstract class ExchangeClient(IHttpClientFactory httpClientFactory, UpstreamOptions options, TimeProvider time, ILogger logger)
    : IExchangeCloseSource
{
    public abstract string Venue { get; }

    /// <summary>The clock the client runs on.</summary>
    protected TimeProvider Time => time;

    /// <summary>Name of the HttpClient registered for this venue.</summary>
    public string HttpClientName => "calc-" + Venue;

    /// <summary>Most daily candles one request returns (int.MaxValue: the venue has no paging).</summary>
    protected abstract int PageSize { get; }

    /// <summary>The venue's symbol for <paramref name="pair"/>.</summary>
    public abstract string Symbol(AssetPair pair);

    /// <summary>Path and query of the request for the days [from, to] (both inclusive, at most <see cref="PageSize"/>).</summary>
    protected abstract string PageUri(string symbol, DateOnly from, DateOnly to);

    /// <summary>The candles of one response body; throws <see cref="FormatException"/> (or a JSON error) on a wrong shape.</summary>
    protected abstract IEnumerable<Candle> ParsePage(JsonElement root);

    public async Task<IReadOnlyList<DailyClose>> GetClosesAsync(AssetPair pair, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var today = VenueDays.DayOf(Venue, time.GetUtcNow());
        if (to > today)
        {
            to = today;
        }

        if (from > to)
        {
            return [];
        }

        string symbol = Symbol(pair);
        var http = new UpstreamHttp(httpClientFactory.CreateClient(HttpClientName), Venue, options, time, logger);
        var byDate = new SortedDictionary<DateOnly, DailyClose>();
        var pageStart = from;
        while (pageStart <= to)
        {
            var pageEnd = PageSize == int.MaxValue || to.DayNumber - pageStart.DayNumber < PageSize ? to : pageStart.AddDays(PageSize - 1);
            string uri = PageUri(symbol, pageStart, pageEnd);
            foreach (var candle in await FetchPageAsync(http, uri, cancellationToken))
            {
                var day = VenueDays.DayOf(Venue, candle.OpenTime);
                if (day < pageStart || day > pageEnd)
                {
                    continue;
                }

                bool final = day < today && candle.Confirmed != false;
                byDate[day] = new DailyClose(Venue, pair, day, candle.Close, final);
            }

            pageStart = pageEnd.AddDays(1);
        }

        return byDate.Values.ToArray();
    }

    /// <summary>One page; a rate limit the venue reports inside a 200 answer is retried like an HTTP 429.</summary>
    private async Task<IReadOnlyList<Candle>> FetchPageAsync(UpstreamHttp http, string uri, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            byte[] body = await http.GetBytesAsync(uri, cancellationToken);
            try
            {
                return Parse(body, uri);
            }
            catch (UpstreamException e) when (e.Reason == Reasons.UpstreamUnavailable && attempt < http.MaxAttempts)
            {
                await Task.Delay(http.Backoff(attempt), time, cancellationToken);
            }
        }
    }

    private IReadOnlyList<Candle> Parse(byte[] body, string uri)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var candles = ParsePage(doc.RootElement).ToList();
            var offset = VenueDays.Offset(Venue);
            foreach (var c in candles)
            {
                if (c.OpenTime.Offset != TimeSpan.Zero || (c.OpenTime + offset).TimeOfDay != TimeSpan.Zero)
                {
                    throw new FormatException($"candle opens at {c.OpenTime:O}, not at 00:00 {VenueDays.Convention(Venue)} (wrong day boundary or interval)");
                }

                if (c.Close <= 0)
                {
                    throw new FormatException($"candle of {c.OpenTime:yyyy-MM-dd} has close {c.Close}");
                }
            }

            return candles;
        }
        catch (UpstreamException)
        {
            throw;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or OverflowException)
        {
            throw new UpstreamException(Venue, Reasons.UpstreamInvalidResponse, $"{Venue}: {uri} answered an invalid document: {e.Message}", e);
        }
    }

    /// <summary>A venue-level error carried in a 200 answer.</summary>
    protected UpstreamException VenueError(string reason, string message) => new(Venue, reason, $"{Venue}: {message}");

    protected static decimal Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String when decimal.TryParse(e.GetString(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d) => d,
        JsonValueKind.Number => e.GetDecimal(),
        _ => throw new FormatException($"'{e}' is not a number"),
    };

    protected static long Integer(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String when long.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) => v,
        JsonValueKind.Number => e.GetInt64(),
        _ => throw new FormatException($"'{e}' is not an integer"),
    };

    protected static DateTimeOffset Ms(JsonElement e) => DateTimeOffset.FromUnixTimeMilliseconds(Integer(e));

    protected static DateTimeOffset Seconds(JsonElement e) => DateTimeOffset.FromUnixTimeSeconds(Integer(e));

    /// <summary>Start of the venue's day <paramref name="day"/> in Unix seconds.</summary>
    protected long StartSeconds(DateOnly day) => VenueDays.Start(Venue, day).ToUnixTimeSeconds();

    protected static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}
