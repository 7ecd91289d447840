using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>
/// A loopback stand-in for www.cbr.ru serving <c>scripts/XML_dynamic.asp</c> in the CBR's own format
/// (windows-1251, comma decimals, only the records inside the requested range), counting the calls.
/// </summary>
public sealed class CbrFake : IAsyncDisposable
{
    // Real USD (R01235) records as recorded from XML_dynamic for 01.03–05.03.2026 (shared/data/samples).
    private static readonly (DateOnly Date, string Value)[] UsdRecords =
    [
        (new DateOnly(2026, 3, 3), "77,1734"),
        (new DateOnly(2026, 3, 4), "77,6093"),
        (new DateOnly(2026, 3, 5), "77,8009"),
    ];

    private readonly WebApplication _app;
    private int _calls;

    private CbrFake(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<CbrFake> StartAsync()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new CbrFake(app);
        app.MapGet("/scripts/XML_dynamic.asp", (HttpContext context) => fake.Dynamic(context));
        await app.StartAsync();
        fake.BaseUrl = new Uri(app.Urls.First() + "/");
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task Dynamic(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var from = DateOnly.ParseExact(context.Request.Query["date_req1"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        var to = DateOnly.ParseExact(context.Request.Query["date_req2"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        string id = context.Request.Query["VAL_NM_RQ"]!;
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"windows-1251\"?>");
        xml.Append(CultureInfo.InvariantCulture, $"<ValCurs ID=\"{id}\" DateRange1=\"{from:dd.MM.yyyy}\" DateRange2=\"{to:dd.MM.yyyy}\" name=\"Foreign Currency Market Dynamic\">");
        if (id == "R01235")
        {
            foreach (var (date, value) in UsdRecords.Where(r => r.Date >= from && r.Date <= to))
            {
                xml.Append(CultureInfo.InvariantCulture, $"<Record Date=\"{date:dd.MM.yyyy}\" Id=\"R01235\"><Nominal>1</Nominal><Value>{value}</Value><VunitRate>{value}</VunitRate></Record>");
            }
        }

        xml.Append("</ValCurs>");
        context.Response.ContentType = "application/xml; charset=windows-1251";
        await context.Response.Body.WriteAsync(Encoding.GetEncoding(1251).GetBytes(xml.ToString()));
    }
}
