using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Calc.Server.Tests.Infrastructure;

namespace Calc.Server.Tests;

/// <summary>
/// Every unary calc.v1 method through two independent paths: Python grpcio over HTTP/2, and Connect JSON over
/// HTTP/1.1 (what 1C's HTTP client sends). Each case checks one value computed from the fixture's real data.
/// </summary>
public sealed class EveryMethodTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    /// <summary>(method, request JSON, JSON path in the response, expected value).</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        // Binance BTC/USDT close of Sunday 2025-03-16 × the CBR USD rate of Sat 2025-03-15 (set Friday)
        { "calc.v1.QuoteService/GetQuote", """{"asset":"BTC","date":"2025-03-16","venue":"binance","quote_currency":"USDT"}""", "provenance.cbr_effective_date", "2025-03-15" },
        { "calc.v1.QuoteService/BatchGetQuotes", """{"requests":[{"asset":"BTC","date":"2025-03-16"},{"asset":"BTC","date":"2025-13-01"}]}""", "results.1.error.reason", "INVALID_DATE" },
        { "calc.v1.QuoteService/GetCbrRate", """{"currency":"USD","date":"2025-01-05"}""", "value", "101.6797" },
        { "calc.v1.QuoteService/ListCbrRates", """{"currencies":["USD"],"from":"2025-03-14","to":"2025-03-18"}""", "rates.2.effective_date", "2025-03-15" },
        { "calc.v1.QuoteService/ListVenues", "{}", "venues.0.venue", "binance" },
        // 0.05 BTC × 82574.53 × 85.5694 = 353292.65 (kopecks, half away from zero)
        { "calc.v1.IncomeService/RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.05"}]}""", "results.0.income.income_rub", "353292.65" },
        // tax-rules Ex2 (corrected): 702000 + 18 % × 1000000
        { "calc.v1.TaxService/ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"6000000"}""", "main_tax_rub", "882000" },
        // tax-rules Ex4: 10 M profit in 2025 → 800000 federal
        { "calc.v1.TaxService/ComputeProfitTax", """{"tax_year":2025,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"10000000"}""", "federal_tax_rub", "800000" },
        // tax-rules D2: 2025 income → 3-NDFL by 30.04.2026 (first deadline in due-date order is the Jan report)
        { "calc.v1.TaxService/GetDeadlines", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","year":2025}""", "deadlines.0.due_date", "2025-02-20" },
        { "calc.v1.TaxService/CheckCompliance", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","tax_regime":"TAX_REGIME_NPD","monthly_kwh":["5000"],"region":"","date":"2025-06-01"}""", "findings.0.reason", "BANNED_TAX_REGIME" },
        { "calc.v1.CollateralService/ValueCollateral", """{"asset":"BTC","amount":"2","as_of":"2025-03-16","loan_rub":"5000000"}""", "status", "COLLATERAL_STATUS_OK" },
        { "calc.v1.CollateralService/BatchValueCollateral", """{"items":[{"id":"a","asset":"BTC","amount":"2","as_of":"2025-03-16"},{"id":"b","asset":"BTC","amount":"-1","as_of":"2025-03-16"}]}""", "results.1.error.reason", "INVALID_AMOUNT" },
    };

    [PythonGrpcTheory]
    [MemberData(nameof(Cases))]
    public async Task Method_ViaPythonGrpcio_Answers(string method, string request, string path, string expected)
    {
        var outcome = await PythonClient.CallAsync(fixture.Server.GrpcAddress, method, request);

        Assert.True(outcome.GetProperty("ok").GetBoolean(), outcome.ToString());
        Assert.Equal(expected, Read(outcome.GetProperty("response"), path, snake: true));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Method_ViaConnectJsonOverHttp11_Answers(string method, string request, string path, string expected)
    {
        using var http = new HttpClient();
        using var content = new StringContent(request, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await http.PostAsync(new Uri(fixture.Server.Http1Address, "/" + method), content);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.Equal(expected, Read(JsonDocument.Parse(body).RootElement, path, snake: false));
    }

    [PythonGrpcTheory]
    [InlineData("calc.v1.QuoteService/GetCbrRate", """{"currency":"GBP","date":"2025-01-05"}""", "NOT_FOUND", "UNKNOWN_CURRENCY")]
    [InlineData("calc.v1.QuoteService/GetCbrRate", """{"currency":"USD","date":"2025-02-30"}""", "INVALID_ARGUMENT", "INVALID_DATE")]
    [InlineData("calc.v1.TaxService/ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1e6"}""", "INVALID_ARGUMENT", "INVALID_DECIMAL")]
    [InlineData("calc.v1.TaxService/ComputeNdfl", """{"tax_year":2025,"mining_income_rub":"1000000"}""", "INVALID_ARGUMENT", "INVALID_ENUM")]
    [InlineData("calc.v1.IncomeService/RecognizeIncome", """{"receipts":[]}""", "INVALID_ARGUMENT", "EMPTY_BATCH")]
    [InlineData("calc.v1.IncomeService/RecognizeIncome", """{"policy":{"time_zone":"Mars/Olympus"},"receipts":[{"id":"1"}]}""", "INVALID_ARGUMENT", "INVALID_TIME_ZONE")]
    public async Task Method_BadRequest_ViaPythonGrpcio_GetsStatusAndReason(string method, string request, string code, string reason)
    {
        var outcome = await PythonClient.CallAsync(fixture.Server.GrpcAddress, method, request);

        Assert.False(outcome.GetProperty("ok").GetBoolean());
        Assert.Equal(code, outcome.GetProperty("code").GetString());
        Assert.Equal(reason, outcome.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Json_BadRequest_GetsStatusWithReadableReason()
    {
        using var http = new HttpClient();
        using var content = new StringContent("""{"currency":"usd","date":"2025-01-05"}""", Encoding.UTF8, "application/json");

        using var response = await http.PostAsync(new Uri(fixture.Server.Http1Address, "/calc.v1.QuoteService/GetCbrRate"), content);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(3, error.GetProperty("code").GetInt32());
        Assert.Contains("ISO 4217", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", error.GetProperty("details")[0].GetProperty("@type").GetString());
        Assert.Equal("INVALID_CURRENCY", error.GetProperty("details")[0].GetProperty("reason").GetString());
    }

    /// <summary>Reads "a.b.0.c" from a JSON tree; Connect JSON uses lowerCamelCase names, the Python client snake_case.</summary>
    private static string Read(JsonElement root, string path, bool snake)
    {
        var e = root;
        foreach (var part in path.Split('.'))
        {
            if (int.TryParse(part, out int index))
            {
                e = e[index];
            }
            else
            {
                e = e.GetProperty(snake ? part : Camel(part));
            }
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString();
    }

    private static string Camel(string snake)
    {
        var parts = snake.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
