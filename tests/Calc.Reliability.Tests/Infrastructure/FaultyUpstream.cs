using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>How the fake answers.</summary>
public enum UpstreamMode
{
    Ok,
    Http500,
    Http429,
    Garbage,
    Truncated,
    Hang,
}

/// <summary>
/// A loopback stand-in for www.cbr.ru (<c>scripts/XML_dynamic.asp</c>, windows-1251, comma decimals) and Binance
/// (<c>api/v3/klines</c>) serving real recorded figures, whose answers can be switched to a fault at any moment.
/// </summary>
public sealed class FaultyUpstream : IAsyncDisposable
{
    // Real CBR USD (R01235) rates by effective date and Binance BTC/USDT daily closes (shared/data, see its SOURCES.md).
    public static readonly IReadOnlyDictionary<DateOnly, string> UsdRates = new Dictionary<DateOnly, string>
    {
        [new(2025, 2, 5)] = "98.5336", [new(2025, 4, 5)] = "84.2774", [new(2025, 5, 6)] = "81.9137",
        [new(2025, 6, 5)] = "78.5025", [new(2025, 7, 5)] = "78.8354", [new(2025, 8, 5)] = "79.6736",
        [new(2025, 9, 5)] = "81.2977",
    };

    public static readonly IReadOnlyDictionary<DateOnly, string> BtcCloses = new Dictionary<DateOnly, string>
    {
        [new(2025, 2, 5)] = "96612.43", [new(2025, 4, 5)] = "83537.99", [new(2025, 5, 6)] = "96834.02",
        [new(2025, 6, 5)] = "101508.68", [new(2025, 7, 5)] = "108198.12", [new(2025, 8, 5)] = "114129.75",
        [new(2025, 9, 5)] = "110659.99",
    };

    /// <summary>The dates served, one per month (each month is fetched and cached as a whole by Calc).</summary>
    public static IReadOnlyList<DateOnly> Dates { get; } = [.. UsdRates.Keys.Order()];

    private readonly WebApplication _app;
    private int _calls;
    private int _open;

    private FaultyUpstream(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public UpstreamMode Mode { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Requests being answered right now (a hung request counts until Calc gives up on it).</summary>
    public int OpenRequests => Volatile.Read(ref _open);

    public static async Task<FaultyUpstream> StartAsync()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FaultyUpstream(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = new Uri(app.Urls.First() + "/");
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref _open);
        try
        {
            switch (Mode)
            {
                case UpstreamMode.Http500:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsync("Internal Server Error");
                    return;
                case UpstreamMode.Http429:
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = "1";
                    return;
                case UpstreamMode.Garbage:
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync("<html><body>Service temporarily unavailable <b>please retry</b>");
                    return;
                case UpstreamMode.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    return;
            }

            byte[] body = context.Request.Path.Value!.Contains("XML_dynamic", StringComparison.Ordinal) ? Cbr(context) : Klines(context);
            if (Mode == UpstreamMode.Truncated)
            {
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(body);
        }
        catch (OperationCanceledException)
        {
            // Calc gave up on a hung request
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static byte[] Cbr(HttpContext context)
    {
        var from = DateOnly.ParseExact(context.Request.Query["date_req1"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        var to = DateOnly.ParseExact(context.Request.Query["date_req2"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        string id = context.Request.Query["VAL_NM_RQ"]!;
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"windows-1251\"?>");
        xml.Append(CultureInfo.InvariantCulture, $"<ValCurs ID=\"{id}\" DateRange1=\"{from:dd.MM.yyyy}\" DateRange2=\"{to:dd.MM.yyyy}\" name=\"Foreign Currency Market Dynamic\">");
        if (id == "R01235")
        {
            foreach (var (date, value) in UsdRates.Where(r => r.Key >= from && r.Key <= to).OrderBy(r => r.Key))
            {
                string comma = value.Replace('.', ',');
                xml.Append(CultureInfo.InvariantCulture, $"<Record Date=\"{date:dd.MM.yyyy}\" Id=\"R01235\"><Nominal>1</Nominal><Value>{comma}</Value><VunitRate>{comma}</VunitRate></Record>");
            }
        }

        xml.Append("</ValCurs>");
        context.Response.ContentType = "application/xml; charset=windows-1251";
        return Encoding.GetEncoding(1251).GetBytes(xml.ToString());
    }

    private static byte[] Klines(HttpContext context)
    {
        long start = long.Parse(context.Request.Query["startTime"]!, CultureInfo.InvariantCulture);
        long end = long.Parse(context.Request.Query["endTime"]!, CultureInfo.InvariantCulture);
        var rows = new List<string>();
        foreach (var (date, close) in BtcCloses.OrderBy(c => c.Key))
        {
            long open = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
            if (open >= start && open <= end && context.Request.Query["symbol"] == "BTCUSDT")
            {
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"[{open},\"{close}\",\"{close}\",\"{close}\",\"{close}\",\"100.0\",{open + 86_399_999},\"1.0\",10,\"1.0\",\"1.0\",\"0\"]"));
            }
        }

        context.Response.ContentType = "application/json";
        return Encoding.UTF8.GetBytes("[" + string.Join(",", rows) + "]");
    }
}
