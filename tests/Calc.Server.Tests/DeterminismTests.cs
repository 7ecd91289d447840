using System.Globalization;
using System.Net;
using System.Text;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf;

namespace Calc.Server.Tests;

/// <summary>
/// The same request gives the same bytes: Connect JSON bodies of ComputeNdfl and RecognizeIncome, and the gRPC
/// BatchGetQuotes message through the C# client. Between the two identical calls a different request of the
/// same method runs (other order, other values), so state one call leaves behind (caches, provenance
/// tables) cannot pass for determinism.
/// </summary>
public sealed class DeterminismTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    private static readonly string[] Instants =
    [
        "2025-03-14T09:00:00Z",
        "2025-03-15T21:30:00Z", // 00:30 MSK on Sunday 16.03
        "2025-03-16T12:00:00Z",
        "2025-03-17T20:59:59Z", // 23:59:59 MSK on 17.03
        "2025-03-17T21:00:00Z", // 00:00 MSK on 18.03
        "2024-12-31T12:00:00Z",
        "2025-01-05T12:00:00Z", // New-Year holidays: the rate set on 28.12 is in force
    ];

    [Fact]
    public async Task ComputeNdfl_SameRequestTwiceOverConnectJson_ByteIdenticalBodies()
    {
        // tax-rules Ex6 with expenses and an investment base: brackets, withholding and explanation lines in the answer
        const string request = """
            {"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1250000.37","mining_expenses_rub":"250000.37",
             "other_main_base_rub":"3000000","withheld_rub":"402000","investment_base_rub":"3000000"}
            """;
        const string other = """{"tax_year":2025,"residency":"RESIDENCY_NON_RESIDENT","mining_income_rub":"9000000","mining_expenses_rub":"2000000"}""";

        var first = await ConnectJson.PostAsync(fixture.Server.Http1Address, "calc.v1.TaxService/ComputeNdfl", request);
        var between = await ConnectJson.PostAsync(fixture.Server.Http1Address, "calc.v1.TaxService/ComputeNdfl", other);
        var second = await ConnectJson.PostAsync(fixture.Server.Http1Address, "calc.v1.TaxService/ComputeNdfl", request);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, between.Status, second.Status));
        // 312000 + 15 % × 1600000 = 552000, 150000 after the employer's 402000; investment 312000 + 15 % × 600000
        Assert.Equal(("552000", "150000", "402000"), (first.Json.GetProperty("mainTaxRub").GetString(),
            first.Json.GetProperty("taxDueRub").GetString(), first.Json.GetProperty("investmentTaxRub").GetString()));
        Assert.Equal("2700000", between.Json.GetProperty("mainTaxRub").GetString());
        Assert.True(first.Json.GetProperty("explanation").GetArrayLength() > 0, first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Body, second.Body);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RecognizeIncome_SameRequestTwiceOverConnectJson_ByteIdenticalBodies(bool inlineProvenance)
    {
        string request = IncomeRequest(60, reverse: false, inlineProvenance);
        string other = IncomeRequest(45, reverse: true, inlineProvenance);

        var first = await ConnectJson.PostAsync(fixture.Server.Http1Address, "calc.v1.IncomeService/RecognizeIncome", request);
        var between = await ConnectJson.PostAsync(fixture.Server.Http1Address, "calc.v1.IncomeService/RecognizeIncome", other);
        var second = await ConnectJson.PostAsync(fixture.Server.Http1Address, "calc.v1.IncomeService/RecognizeIncome", request);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, between.Status, second.Status));
        var results = first.Json.GetProperty("results");
        Assert.Equal(61, results.GetArrayLength());
        Assert.Equal("INVALID_DECIMAL", results[60].GetProperty("error").GetProperty("reason").GetString());
        // r1: 0.00201 BTC at 00:30 MSK on 16.03 × 82574.53 × 85.5694 = 14202.36 (kopecks, half away from zero)
        Assert.Equal("14202.36", results[1].GetProperty("income").GetProperty("incomeRub").GetString());
        Assert.True(first.Json.GetProperty("totals").GetArrayLength() >= 4, first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task BatchGetQuotes_SameRequestTwiceOverGrpc_ByteIdenticalMessages()
    {
        var request = new BatchGetQuotesRequest();
        var venues = new[] { ("binance", "BTC", "USDT"), ("binance", "ETH", "USDT"), ("coinbase", "BTC", "USD") };
        var dates = new[] { "2024-12-28", "2024-12-31", "2025-01-05", "2025-03-14", "2025-03-15", "2025-03-16", "2025-03-17", "2025-03-18" };
        foreach (var date in dates)
        {
            foreach (var (venue, asset, quote) in venues)
            {
                request.Requests.Add(new GetQuoteRequest { Id = "q" + request.Requests.Count.ToString(CultureInfo.InvariantCulture), Venue = venue, Asset = asset, QuoteCurrency = quote, Date = date });
            }
        }

        request.Requests.Add(new GetQuoteRequest { Id = "bad-date", Asset = "BTC", Date = "2025-02-30" });
        request.Requests.Add(new GetQuoteRequest { Id = "no-close", Asset = "BTC", Venue = "binance", QuoteCurrency = "USDT", Date = "2025-02-03" });
        var other = new BatchGetQuotesRequest { Requests = { request.Requests.Reverse().Take(12) } };

        var first = await Client().BatchGetQuotesAsync(request);
        var between = await Client().BatchGetQuotesAsync(other);
        var second = await Client().BatchGetQuotesAsync(request);

        Assert.Equal(request.Requests.Count, first.Results.Count);
        Assert.Equal(12, between.Results.Count);
        // Binance BTC/USDT of Sunday 16.03.2025: 82574.53 × 85.5694 (the rate set on Friday, in force from Saturday)
        var sunday = Assert.Single(first.Results, r => r.Quote is { Date: "2025-03-16", Asset: "BTC", QuoteCurrency: "USDT" });
        Assert.Equal("7065852.987382", sunday.Quote.PriceRub);
        Assert.Equal(("INVALID_DATE", "PRICE_NOT_FOUND"), (first.Results[^2].Error.Reason, first.Results[^1].Error.Reason));
        Assert.Equal(first.ToByteArray(), second.ToByteArray());
    }

    private CalcClient Client() => new(fixture.Server.GrpcAddress);

    /// <summary>
    /// <paramref name="count"/> receipts over the fixture's days (BTC and ETH, distinct amounts), then one with a
    /// decimal comma; <paramref name="reverse"/> sends them in the opposite order.
    /// </summary>
    private static string IncomeRequest(int count, bool reverse, bool inlineProvenance)
    {
        var receipts = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$"""{"id":"r{{i}}","received_at":"{{Instants[i % Instants.Length]}}","asset":"{{(i % 3 == 0 ? "ETH" : "BTC")}}","amount":"0.00{{200 + i}}"}"""));
        if (reverse)
        {
            receipts = receipts.Reverse();
        }

        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $$"""{"inline_provenance":{{(inlineProvenance ? "true" : "false")}},"receipts":[""");
        json.AppendJoin(",", receipts);
        json.Append(CultureInfo.InvariantCulture, $$""",{"id":"bad","received_at":"{{Instants[0]}}","asset":"BTC","amount":"0,5"}]}""");
        return json.ToString();
    }
}
