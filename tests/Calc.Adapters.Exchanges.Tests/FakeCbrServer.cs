using System.Globalization;
using System.Text;
using Calc.Adapters.Cbr;
using Calc.Application.MarketData;
using Calc.Domain.Quotes;
using Microsoft.AspNetCore.Http;

namespace Calc.Adapters.Exchanges.Tests;

/// <summary>A loopback fake of CBR XML_dynamic.asp, answering windows-1251 XML in the recorded shape.</summary>
internal sealed class FakeCbrServer
{
    static FakeCbrServer() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public List<CbrRate> Rates { get; } = [];

    public Func<HttpContext, int, Task<bool>>? Fault { get; set; }

    public async Task HandleAsync(HttpContext ctx, int n)
    {
        if (Fault is not null && await Fault(ctx, n))
        {
            return;
        }

        if (ctx.Request.Path != "/scripts/XML_dynamic.asp")
        {
            ctx.Response.StatusCode = 404;
            return;
        }

        var q = ctx.Request.Query;
        var from = DateOnly.ParseExact(q["date_req1"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        var to = DateOnly.ParseExact(q["date_req2"]!, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        string id = q["VAL_NM_RQ"]!;
        string currency = CbrCurrencies.Ids.Single(kv => kv.Value == id).Key;
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"windows-1251\"?>");
        xml.Append(CultureInfo.InvariantCulture, $"<ValCurs ID=\"{id}\" DateRange1=\"{from:dd.MM.yyyy}\" DateRange2=\"{to:dd.MM.yyyy}\" name=\"Foreign Currency Market Dynamic\">");
        foreach (var r in Rates.Where(r => r.Currency == currency && r.EffectiveDate >= from && r.EffectiveDate <= to).OrderBy(r => r.EffectiveDate))
        {
            string value = r.Value.ToString("F4", CultureInfo.InvariantCulture).Replace('.', ',');
            string unit = (r.Value / r.Nominal).ToString("0.############", CultureInfo.InvariantCulture).Replace('.', ',');
            xml.Append(CultureInfo.InvariantCulture, $"<Record Date=\"{r.EffectiveDate:dd.MM.yyyy}\" Id=\"{id}\"><Nominal>{r.Nominal}</Nominal><Value>{value}</Value><VunitRate>{unit}</VunitRate></Record>");
        }

        xml.Append("</ValCurs>");
        ctx.Response.ContentType = "application/xml; charset=windows-1251";
        await ctx.Response.Body.WriteAsync(Encoding.GetEncoding(1251).GetBytes(xml.ToString()));
    }
}
