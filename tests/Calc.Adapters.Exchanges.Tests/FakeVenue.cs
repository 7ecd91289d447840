using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Calc.Adapters.Exchanges.Tests;

/// <summary>
/// A loopback fake of one venue's public candle endpoint, serving <see cref="Closes"/> in that venue's
/// documented response shape and honouring its paging parameters and limits. The day <see cref="Today"/>
/// is the open candle (served where the venue serves it). <see cref="Fault"/> may take over a request.
/// </summary>
internal sealed class FakeVenue
{
    public FakeVenue(string venue, SortedDictionary<DateOnly, decimal> closes, DateOnly today)
    {
        Venue = venue;
        Closes = closes;
        Today = today;
    }

    public string Venue { get; }

    public SortedDictionary<DateOnly, decimal> Closes { get; }

    public DateOnly Today { get; set; }

    /// <summary>Given the 1-based request number, handles the request itself (returns true) or lets the venue answer.</summary>
    public Func<HttpContext, int, Task<bool>>? Fault { get; set; }

    public async Task HandleAsync(HttpContext ctx, int n)
    {
        if (Fault is not null && await Fault(ctx, n))
        {
            return;
        }

        var q = ctx.Request.Query;
        switch (Venue)
        {
            case "binance": await Binance(ctx, q); break;
            case "bybit": await Bybit(ctx, q); break;
            case "okx": await Okx(ctx, q); break;
            case "coinbase": await Coinbase(ctx, q); break;
            case "kraken": await Kraken(ctx, q); break;
            case "bitstamp": await Bitstamp(ctx, q); break;
            case "kucoin": await KuCoin(ctx, q); break;
            case "mexc": await Mexc(ctx, q); break;
            case "htx": await Htx(ctx, q); break;
            case "gate": await Gate(ctx, q); break;
            default: ctx.Response.StatusCode = 404; break;
        }
    }

    private IEnumerable<(DateOnly Day, decimal Close)> Days(DateTimeOffset fromOpen, DateTimeOffset toOpen, bool includeOpenDay = true) =>
        Closes.Where(kv => Open(kv.Key) >= fromOpen && Open(kv.Key) <= toOpen && kv.Key <= Today && (includeOpenDay || kv.Key < Today))
            .Select(kv => (kv.Key, kv.Value));

    private static DateTimeOffset Open(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static long Long(IQueryCollection q, string name, long fallback) =>
        q.TryGetValue(name, out var v) ? long.Parse(v!, CultureInfo.InvariantCulture) : fallback;

    private static string S(decimal d, int decimals = 8) => d.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static Task Json(HttpContext ctx, object body, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private Task Binance(HttpContext ctx, IQueryCollection q)
    {
        int limit = (int)Long(q, "limit", 500);
        if (limit > 1000 || q["interval"] != "1d" || q["symbol"] == "NOPEUSDT")
        {
            return Json(ctx, new { code = -1121, msg = "Invalid symbol." }, 400);
        }

        var from = DateTimeOffset.FromUnixTimeMilliseconds(Long(q, "startTime", 0));
        var to = DateTimeOffset.FromUnixTimeMilliseconds(Long(q, "endTime", long.MaxValue / 4));
        var rows = Days(from, to).Take(limit).Select(d =>
        {
            long open = Open(d.Day).ToUnixTimeMilliseconds();
            return new object[] { open, S(d.Close - 50), S(d.Close + 900), S(d.Close - 700), S(d.Close), "19612.03389000", open + 86_399_999, "1845718801.92270000", 3347847, "9687.96775000", "911716321.60540000", "0" };
        });
        return Json(ctx, rows);
    }

    private Task Bybit(HttpContext ctx, IQueryCollection q)
    {
        int limit = (int)Long(q, "limit", 200);
        if (limit > 1000 || q["interval"] != "D" || q["category"] != "spot")
        {
            return Json(ctx, new { retCode = 10001, retMsg = "params error", result = new { }, retExtInfo = new { }, time = 0 });
        }

        var from = DateTimeOffset.FromUnixTimeMilliseconds(Long(q, "start", 0));
        var to = DateTimeOffset.FromUnixTimeMilliseconds(Long(q, "end", long.MaxValue / 4));
        var list = Days(from, to).Reverse().Take(limit).Select(d => new[]
        {
            Open(d.Day).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), S(d.Close - 50, 2), S(d.Close + 900, 2), S(d.Close - 700, 2), S(d.Close, 2), "12345.678", "1150000000.5",
        });
        return Json(ctx, new { retCode = 0, retMsg = "OK", result = new { symbol = (string?)q["symbol"], category = "spot", list }, retExtInfo = new { }, time = 1735689600000 });
    }

    private Task Okx(HttpContext ctx, IQueryCollection q)
    {
        int limit = (int)Long(q, "limit", 100);
        if (limit > 100)
        {
            return Json(ctx, new { code = "51000", msg = "Parameter limit error", data = Array.Empty<object>() });
        }

        // bar=1D is a Hong Kong day: its candles open at 16:00 UTC of the previous day
        var shift = q["bar"] == "1Dutc" ? TimeSpan.Zero : TimeSpan.FromHours(-8);
        long after = Long(q, "after", long.MaxValue / 4);
        long before = Long(q, "before", 0);
        var data = Closes.Where(kv => kv.Key <= Today)
            .Select(kv => (Ts: (Open(kv.Key) + shift).ToUnixTimeMilliseconds(), kv.Key, kv.Value))
            .Where(x => x.Ts < after && x.Ts > before)
            .Reverse().Take(limit)
            .Select(x => new[]
            {
                x.Ts.ToString(CultureInfo.InvariantCulture), S(x.Value - 50, 1), S(x.Value + 900, 1), S(x.Value - 700, 1), S(x.Value),
                "8422.41", "22698348.04828491", "12698348.04828491", x.Key < Today ? "1" : "0",
            });
        return Json(ctx, new { code = "0", msg = "", data });
    }

    private Task Coinbase(HttpContext ctx, IQueryCollection q)
    {
        if (string.IsNullOrEmpty(ctx.Request.Headers.UserAgent))
        {
            return Json(ctx, new { message = "User-Agent header is required." }, 400);
        }

        if (!q.ContainsKey("start") || !q.ContainsKey("end") || q["granularity"] != "86400")
        {
            return Json(ctx, new { message = "start and end are required" }, 400);
        }

        var from = DateTimeOffset.Parse(q["start"]!, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(q["end"]!, CultureInfo.InvariantCulture);
        if ((to - from).TotalDays + 1 > 300)
        {
            return Json(ctx, new { message = "granularity too small for the requested time range. Count of aggregations requested exceeds 300" }, 400);
        }

        var rows = Days(from, to).Reverse().Select(d => new object[]
        {
            Open(d.Day).ToUnixTimeSeconds(), d.Close - 700, d.Close + 900, d.Close - 50, d.Close, 1234.5,
        });
        return Json(ctx, rows);
    }

    private Task Kraken(HttpContext ctx, IQueryCollection q)
    {
        string pair = q["pair"]!;
        string key = pair switch { "XBTUSD" => "XXBTZUSD", "ETHUSD" => "XETHZUSD", _ => "" };
        if (key.Length == 0)
        {
            return Json(ctx, new { error = new[] { "EQuery:Unknown asset pair" } });
        }

        long since = Long(q, "since", 0);
        var kept = Closes.Where(kv => kv.Key <= Today).TakeLast(720).ToList();
        var rows = kept.Where(kv => Open(kv.Key).ToUnixTimeSeconds() > since).Select(kv => new object[]
        {
            Open(kv.Key).ToUnixTimeSeconds(), S(kv.Value - 50, 1), S(kv.Value + 900, 1), S(kv.Value - 700, 1), S(kv.Value), S(kv.Value - 10, 1), "1520.12345678", 100_000,
        }).ToList();
        var result = new Dictionary<string, object> { [key] = rows, ["last"] = kept.Count > 0 ? Open(kept[^1].Key).ToUnixTimeSeconds() : 0 };
        return Json(ctx, new { error = Array.Empty<string>(), result });
    }

    private Task Bitstamp(HttpContext ctx, IQueryCollection q)
    {
        int limit = (int)Long(q, "limit", 100);
        if (limit > 1000 || q["step"] != "86400")
        {
            return Json(ctx, new { code = "400.002", errors = new[] { new { field = "limit", message = "bad" } } }, 400);
        }

        var from = DateTimeOffset.FromUnixTimeSeconds(Long(q, "start", 0));
        var to = DateTimeOffset.FromUnixTimeSeconds(Long(q, "end", long.MaxValue / 4000));
        bool exclude = q["exclude_current_candle"] == "true";
        var ohlc = Days(from, to, includeOpenDay: !exclude).Take(limit).Select(d => new Dictionary<string, string>
        {
            ["timestamp"] = Open(d.Day).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["open"] = S(d.Close - 50, 0), ["high"] = S(d.Close + 900, 0), ["low"] = S(d.Close - 700, 0), ["close"] = S(d.Close, 2), ["volume"] = "1000.5",
        });
        return Json(ctx, new { data = new { pair = ((string)ctx.Request.Path!).Split('/')[4].ToUpperInvariant(), ohlc } });
    }

    // KuCoin: {"code":"200000","data":[[t(s), open, close, high, low, volume, turnover]]}, newest first, at most 1500
    private Task KuCoin(HttpContext ctx, IQueryCollection q)
    {
        if (q["type"] != "1day" || !q.ContainsKey("symbol"))
        {
            return Json(ctx, new { code = "400100", msg = "type invalid" }, 400);
        }

        var from = DateTimeOffset.FromUnixTimeSeconds(Long(q, "startAt", 0));
        var to = DateTimeOffset.FromUnixTimeSeconds(Long(q, "endAt", long.MaxValue / 4000));
        var data = Days(from, to).Reverse().Take(1500).Select(d => new[]
        {
            Open(d.Day).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), S(d.Close - 50, 1), S(d.Close), S(d.Close + 900, 1), S(d.Close - 700, 1), "1234.5", "115000000.25",
        });
        return Json(ctx, new { code = "200000", data });
    }

    // MEXC: Binance-shaped rows of 8 fields, oldest first, limit at most 1000
    private Task Mexc(HttpContext ctx, IQueryCollection q)
    {
        int limit = (int)Long(q, "limit", 500);
        if (limit > 1000 || q["interval"] != "1d")
        {
            return Json(ctx, new { code = 700002, msg = "Invalid interval." }, 400);
        }

        var from = DateTimeOffset.FromUnixTimeMilliseconds(Long(q, "startTime", 0));
        var to = DateTimeOffset.FromUnixTimeMilliseconds(Long(q, "endTime", long.MaxValue / 4));
        var rows = Days(from, to).Take(limit).Select(d =>
        {
            long open = Open(d.Day).ToUnixTimeMilliseconds();
            return new object[] { open, S(d.Close - 50, 2), S(d.Close + 900, 2), S(d.Close - 700, 2), S(d.Close), "11752.583103", open + 86_400_000, "399357549.07" };
        });
        return Json(ctx, rows);
    }

    // HTX: no range, the `size` newest UTC+8 days (the open one first), numbers; errors in a 200
    private Task Htx(HttpContext ctx, IQueryCollection q)
    {
        int size = (int)Long(q, "size", 150);
        if (size is < 1 or > 2000)
        {
            return Json(ctx, new Dictionary<string, object> { ["status"] = "error", ["err-code"] = "bad-request", ["err-msg"] = "invalid size, valid range: [1,2000]", ["ts"] = 1 });
        }

        if (q["period"] != "1day" || q["symbol"] != "btcusdt")
        {
            return Json(ctx, new Dictionary<string, object> { ["status"] = "error", ["err-code"] = "invalid-parameter", ["err-msg"] = "invalid symbol", ["ts"] = 1 });
        }

        var data = Closes.Where(kv => kv.Key <= Today).Reverse().Take(size).Select(kv => new Dictionary<string, object>
        {
            ["id"] = Calc.Domain.Quotes.VenueDays.Start("htx", kv.Key).ToUnixTimeSeconds(),
            ["open"] = kv.Value - 50, ["close"] = kv.Value, ["low"] = kv.Value - 700, ["high"] = kv.Value + 900,
            ["amount"] = 1520.5m, ["vol"] = 142000000.25m, ["count"] = 100000,
        });
        return Json(ctx, new { ch = "market.btcusdt.kline.1day", status = "ok", ts = 1735689600000, data });
    }

    // Gate: [t(s), quote volume, close, high, low, open, base volume, closed], oldest first, at most 1000 points
    private Task Gate(HttpContext ctx, IQueryCollection q)
    {
        if (q["interval"] != "1d" || !q.ContainsKey("currency_pair"))
        {
            return Json(ctx, new { label = "INVALID_PARAM_VALUE", message = "Invalid interval" }, 400);
        }

        long fromS = Long(q, "from", 0), toS = Long(q, "to", long.MaxValue / 4000);
        if ((toS - fromS) / 86_400 + 1 > 1000)
        {
            return Json(ctx, new { label = "INVALID_PARAM_VALUE", message = "Too many points requested" }, 400);
        }

        var rows = Days(DateTimeOffset.FromUnixTimeSeconds(fromS), DateTimeOffset.FromUnixTimeSeconds(toS)).Select(d => new[]
        {
            Open(d.Day).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "115000000.25", S(d.Close), S(d.Close + 900, 1), S(d.Close - 700, 1), S(d.Close - 50, 1), "1234.5", d.Day < Today ? "true" : "false",
        });
        return Json(ctx, rows);
    }
}
