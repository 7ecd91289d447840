using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Calc.Adapters.Cbr;
using Calc.Application.MarketData;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// Loopback fakes of the Binance klines, Coinbase candles and CBR XML_dynamic endpoints, answering from the
/// same closes.csv / cbr-rates.csv the warm scenarios import (real figures only: every OHLC field carries the
/// recorded close, volumes are 0). One Kestrel server on 127.0.0.1; counts the requests it answered.
/// </summary>
public sealed class UpstreamFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<(string Venue, string Symbol), SortedDictionary<DateOnly, string>> _closes;
    private readonly List<(DateOnly Date, string Code, int Nominal, string Value)> _rates;
    private int _requests;

    private UpstreamFake(WebApplication app, Dictionary<(string, string), SortedDictionary<DateOnly, string>> closes,
        List<(DateOnly, string, int, string)> rates)
    {
        _app = app;
        _closes = closes;
        _rates = rates;
    }

    static UpstreamFake() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public Uri BaseUrl { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Every request answered so far: path and query, in arrival order.</summary>
    public IReadOnlyList<string> RequestLog => [.. _log];

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    /// <summary>
    /// <c>upstream-fake --data DIR [--port P]</c>: the fake on its own, until stopped (Ctrl-C, SIGTERM), for servers
    /// started elsewhere (the loopback topology's replicas, <c>deploy/topology/fault-tests.sh</c>). <c>GET /_fake/requests</c>
    /// answers how many upstream requests it served and which (not counted itself).
    /// </summary>
    public static LoadCommand Command { get; } = new("upstream-fake", "loopback fake of the Binance, Coinbase and CBR APIs until stopped (--data DIR --port P)",
        async (args, ct) =>
        {
            var options = ScenarioOptions.Parse(args);
            await using var fake = await StartAsync(options.DataDirectory, ct, options.Int("port", 0, 0)).ConfigureAwait(false);
            Console.WriteLine($"upstream fake at {fake.BaseUrl} (data {options.DataDirectory}); GET {fake.BaseUrl}_fake/requests for the count");
            // until Ctrl-C, or SIGTERM (the web host's console lifetime stops the app on it)
            await fake._app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return 0;
        });

    public static async Task<UpstreamFake> StartAsync(string dataDirectory, CancellationToken ct, int port = 0)
    {
        var closes = new Dictionary<(string, string), SortedDictionary<DateOnly, string>>();
        foreach (string line in File.ReadLines(Path.Combine(dataDirectory, "closes.csv")).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length < 5)
            {
                continue;
            }

            string symbol = f[0] == "coinbase" ? $"{f[1]}-{f[2]}" : f[1] + f[2];
            if (!closes.TryGetValue((f[0], symbol), out var series))
            {
                closes[(f[0], symbol)] = series = [];
            }

            series[DateOnly.ParseExact(f[3], "yyyy-MM-dd", CultureInfo.InvariantCulture)] = f[4];
        }

        var rates = File.ReadLines(Path.Combine(dataDirectory, "cbr-rates.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length >= 4)
            .Select(f => (DateOnly.ParseExact(f[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3]))
            .ToList();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var fake = new UpstreamFake(app, closes, rates);
        app.Run(fake.HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Task HandleAsync(HttpContext ctx)
    {
        string path = ctx.Request.Path.Value ?? "";
        if (path == "/_fake/requests")
        {
            return Json(ctx, new { requests = Requests, log = RequestLog });
        }

        Interlocked.Increment(ref _requests);
        _log.Enqueue(path + ctx.Request.QueryString.Value);
        var q = ctx.Request.Query;
        if (path == "/api/v3/klines")
        {
            return Binance(ctx, q);
        }

        if (path.StartsWith("/products/", StringComparison.Ordinal) && path.EndsWith("/candles", StringComparison.Ordinal))
        {
            return Coinbase(ctx, path["/products/".Length..^"/candles".Length], q);
        }

        if (path == "/scripts/XML_dynamic.asp")
        {
            return Cbr(ctx, q);
        }

        ctx.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    private static DateTimeOffset Open(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private IEnumerable<KeyValuePair<DateOnly, string>> Days(string venue, string symbol, DateTimeOffset from, DateTimeOffset to) =>
        _closes.TryGetValue((venue, symbol), out var series)
            ? series.Where(kv => Open(kv.Key) >= from && Open(kv.Key) <= to)
            : [];

    private Task Binance(HttpContext ctx, IQueryCollection q)
    {
        int limit = q.TryGetValue("limit", out var l) ? int.Parse(l!, CultureInfo.InvariantCulture) : 500;
        var from = DateTimeOffset.FromUnixTimeMilliseconds(q.TryGetValue("startTime", out var s) ? long.Parse(s!, CultureInfo.InvariantCulture) : 0);
        var to = DateTimeOffset.FromUnixTimeMilliseconds(q.TryGetValue("endTime", out var e) ? long.Parse(e!, CultureInfo.InvariantCulture) : 253_402_300_799_000);
        var rows = Days("binance", q["symbol"].ToString(), from, to).Take(limit).Select(d =>
        {
            long open = Open(d.Key).ToUnixTimeMilliseconds();
            return new object[] { open, d.Value, d.Value, d.Value, d.Value, "0", open + 86_399_999, "0", 0, "0", "0", "0" };
        });
        return Json(ctx, rows);
    }

    private Task Coinbase(HttpContext ctx, string product, IQueryCollection q)
    {
        var from = DateTimeOffset.Parse(q["start"]!, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(q["end"]!, CultureInfo.InvariantCulture);
        var rows = Days("coinbase", product, from, to).Reverse().Select(d =>
        {
            decimal close = decimal.Parse(d.Value, CultureInfo.InvariantCulture);
            return new object[] { Open(d.Key).ToUnixTimeSeconds(), close, close, close, close, 0 };
        });
        return Json(ctx, rows);
    }

    private Task Cbr(HttpContext ctx, IQueryCollection q)
    {
        var from = DateOnly.ParseExact(q["date_req1"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        var to = DateOnly.ParseExact(q["date_req2"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        string id = q["VAL_NM_RQ"]!;
        string code = CbrCurrencies.Ids.FirstOrDefault(kv => kv.Value == id).Key ?? "";
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"windows-1251\"?>");
        xml.Append(CultureInfo.InvariantCulture, $"<ValCurs ID=\"{id}\" DateRange1=\"{from:dd.MM.yyyy}\" DateRange2=\"{to:dd.MM.yyyy}\" name=\"Foreign Currency Market Dynamic\">");
        foreach (var r in _rates.Where(r => r.Code == code && r.Date >= from && r.Date <= to).OrderBy(r => r.Date))
        {
            decimal value = decimal.Parse(r.Value, CultureInfo.InvariantCulture);
            string unit = (value / r.Nominal).ToString("0.############", CultureInfo.InvariantCulture).Replace('.', ',');
            xml.Append(CultureInfo.InvariantCulture,
                $"<Record Date=\"{r.Date:dd.MM.yyyy}\" Id=\"{id}\"><Nominal>{r.Nominal}</Nominal><Value>{r.Value.Replace('.', ',')}</Value><VunitRate>{unit}</VunitRate></Record>");
        }

        xml.Append("</ValCurs>");
        ctx.Response.ContentType = "application/xml; charset=windows-1251";
        return ctx.Response.Body.WriteAsync(Encoding.GetEncoding(1251).GetBytes(xml.ToString())).AsTask();
    }

    private static Task Json(HttpContext ctx, object body)
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
