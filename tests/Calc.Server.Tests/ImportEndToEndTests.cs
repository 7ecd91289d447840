using System.Globalization;
using System.Net;
using System.Text.Json;
using Calc.Server.Tests.Infrastructure;
using Calc.Tests.Shared;

namespace Calc.Server.Tests;

/// <summary>
/// ImportClosingPrices and ImportCbrRates end to end through Python grpcio (HTTP/2) and JSON transcoding (HTTP/1.1)
/// against a server with API keys: the key guard, the per-row import report, and the imported value read back.
/// Every figure is a real close or CBR rate copied from the workspace's shared/data series (see its SOURCES.md).
/// The tests share one server; each imports its own keys (dates), so they do not depend on their order.
/// </summary>
public sealed class ImportEndToEndTests(KeyedServerFixture fixture) : IClassFixture<KeyedServerFixture>
{
    private const string WriterKey = KeyedServerFixture.WriterKey;
    private const string ReaderKey = KeyedServerFixture.ReaderKey;
    private const string ImportRates = "calc.v1.QuoteService/ImportCbrRates";
    private const string ImportCloses = "calc.v1.QuoteService/ImportClosingPrices";
    private const string GetCbrRate = "calc.v1.QuoteService/GetCbrRate";
    private const string GetQuote = "calc.v1.QuoteService/GetQuote";

    // Real rows only ever sent without a valid writer key: a denied call must leave them unknown.
    // CBR USD rate effective 2025-04-01 and the Binance BTC/USDT close of 2025-04-01.
    private const string DeniedRates = """{"rates":[{"currency":"USD","effective_date":"2025-04-01","nominal":1,"value":"85.4963"}]}""";
    private const string DeniedCloses = """{"prices":[{"venue":"binance","base":"BTC","quote":"USDT","date":"2025-04-01","close":"85158.34"}]}""";

    /// <summary>(method, key sent or "" for none, gRPC status, ErrorInfo reason), as ImportApiTests pins them for the C# client.</summary>
    public static TheoryData<string, string, string, string> Denials => new()
    {
        { ImportRates, "", "UNAUTHENTICATED", "API_KEY_MISSING" },
        { ImportRates, "calc-e2e-guess", "UNAUTHENTICATED", "API_KEY_INVALID" },
        { ImportRates, ReaderKey, "PERMISSION_DENIED", "API_KEY_READ_ONLY" },
        { ImportCloses, "", "UNAUTHENTICATED", "API_KEY_MISSING" },
        { ImportCloses, "calc-e2e-guess", "UNAUTHENTICATED", "API_KEY_INVALID" },
        { ImportCloses, ReaderKey, "PERMISSION_DENIED", "API_KEY_READ_ONLY" },
    };

    [PythonGrpcTheory]
    [MemberData(nameof(Denials))]
    public async Task Import_ViaPythonGrpcio_WithoutAWriterKey_IsDeniedAndImportsNothing(string method, string key, string status, string reason)
    {
        var outcome = await Python(method, method == ImportRates ? DeniedRates : DeniedCloses, key);

        Assert.False(outcome.GetProperty("ok").GetBoolean(), outcome.ToString());
        Assert.Equal((status, reason), (outcome.GetProperty("code").GetString(), outcome.GetProperty("reason").GetString()));
        await AssertAprilFirstStillUnknownAsync();
    }

    [Theory]
    [MemberData(nameof(Denials))]
    public async Task Import_ViaJson_WithoutAWriterKey_IsDeniedAndImportsNothing(string method, string key, string status, string reason)
    {
        var reply = await Connect(method, method == ImportRates ? DeniedRates : DeniedCloses, key);

        Assert.Equal(status == "UNAUTHENTICATED" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, reply.Status);
        // google.rpc.Status: the numeric gRPC code (16 UNAUTHENTICATED, 7 PERMISSION_DENIED)
        Assert.Equal(status == "UNAUTHENTICATED" ? 16 : 7, reply.Json.GetProperty("code").GetInt32());
        Assert.Equal(reason, reply.Reason);
        Assert.All(new[] { WriterKey, ReaderKey, "calc-e2e-guess" }, k => Assert.DoesNotContain(k, fixture.Server.Output, StringComparison.Ordinal));
        await AssertAprilFirstStillUnknownAsync();
    }

    /// <summary>(route of the transcoded import, authorization header or "" for none, HTTP status, ErrorInfo reason).</summary>
    public static TheoryData<string, string, int, string> RouteDenials => new()
    {
        { "/v1/cbr-rates:import", "", 401, "API_KEY_MISSING" },
        { "/v1/cbr-rates:import", "Bearer calc-e2e-guess", 401, "API_KEY_INVALID" },
        { "/v1/cbr-rates:import", $"Bearer {ReaderKey}", 403, "API_KEY_READ_ONLY" },
        { "/v1/closing-prices:import", "", 401, "API_KEY_MISSING" },
        { "/v1/closing-prices:import", "Bearer calc-e2e-guess", 401, "API_KEY_INVALID" },
        { "/v1/closing-prices:import", $"Bearer {ReaderKey}", 403, "API_KEY_READ_ONLY" },
    };

    [Theory]
    [MemberData(nameof(RouteDenials))]
    public async Task Import_ViaJsonRoute_WithoutAWriterBearerKey_IsDeniedAndImportsNothing(string route, string authorization, int httpStatus, string reason)
    {
        var reply = await ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Post, route,
            route.Contains("cbr", StringComparison.Ordinal) ? DeniedRates : DeniedCloses, "application/json",
            authorization.Length == 0 ? [] : [("authorization", authorization)]);

        Assert.Equal(httpStatus, (int)reply.Status);
        Assert.Equal(httpStatus == 401 ? 16 : 7, reply.Json.GetProperty("code").GetInt32());
        Assert.Equal(reason, reply.Reason);
        await AssertAprilFirstStillUnknownAsync();
    }

    [Fact]
    public async Task ImportCbrRates_ViaJsonRoute_WithWriterBearerKey_Imports()
    {
        // the CBR USD rate effective 2024-06-11 (shared/data cbr-rates.csv), months before the fixture and every other test's dates: 88.9944
        var reply = await ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Post, "/v1/cbr-rates:import",
            """{"rates":[{"currency":"USD","effective_date":"2024-06-11","nominal":1,"value":"88.9944"}]}""", "application/json",
            ("authorization", $"Bearer {WriterKey}"));
        var rate = await ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Get, "/v1/cbr-rates/USD/2024-06-11");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(1, reply.Json.GetProperty("added").GetInt32());
        Assert.Equal(HttpStatusCode.OK, rate.Status);
        Assert.Equal(("88.9944", "import"), (rate.Json.GetProperty("value").GetString(), rate.Json.GetProperty("source").GetString()));
    }

    [PythonGrpcFact]
    public async Task ImportCbrRates_ViaPythonGrpcio_WithWriterKey_ReportsEachRowAndTheRateIsThenReadable()
    {
        // 0: new (20.03.2025); 1: held by the fixture; 2: the 19.03 rate sent for 18.03 (conflict); 3: lower-case code
        const string rows = """
            {"rates":[
              {"currency":"USD","effective_date":"2025-03-20","nominal":1,"value":"82.8487"},
              {"currency":"USD","effective_date":"2025-03-19","nominal":1,"value":"81.5018"},
              {"currency":"USD","effective_date":"2025-03-18","nominal":1,"value":"81.5018"},
              {"currency":"usd","effective_date":"2025-03-21","nominal":1,"value":"84.3955"}]}
            """;
        const string read = """{"currency":"USD","date":"2025-03-20"}""";

        var before = await Python(GetCbrRate, read);
        var report = await Python(ImportRates, rows, WriterKey);
        var after = await Python(GetCbrRate, read);
        var again = await Python(ImportRates, rows, WriterKey);

        Assert.Equal(("NOT_FOUND", "RATE_NOT_FOUND"), (before.GetProperty("code").GetString(), before.GetProperty("reason").GetString()));
        var first = Ok(report);
        Assert.Equal((1, 1, 0), (Int(first, "added"), Int(first, "unchanged"), Int(first, "replaced")));
        Assert.Equal([(2, "CONFLICTING_VALUE", "ALREADY_EXISTS"), (3, "INVALID_CURRENCY", "INVALID_ARGUMENT")], Rejections(first));
        var rate = Ok(after);
        Assert.Equal(("82.8487", "2025-03-20", "import"),
            (rate.GetProperty("value").GetString(), rate.GetProperty("effective_date").GetString(), rate.GetProperty("source").GetString()));
        var second = Ok(again);
        Assert.Equal((0, 2), (Int(second, "added"), Int(second, "unchanged")));
        Assert.Equal([2, 3], Rejections(second).Select(r => r.Index));
    }

    [PythonGrpcFact]
    public async Task ImportClosingPrices_ViaPythonGrpcio_WithWriterKey_ReportsEachRowAndTheQuoteIsThenReadable()
    {
        // Binance ETH/USDT: 0: new (19.03.2025); 1: held by the fixture; 2: the 19.03 close sent for 17.03; 3: decimal comma
        const string rows = """
            {"prices":[
              {"venue":"binance","base":"ETH","quote":"USDT","date":"2025-03-19","close":"2056.06"},
              {"venue":"binance","base":"ETH","quote":"USDT","date":"2025-03-18","close":"1931.54"},
              {"venue":"binance","base":"ETH","quote":"USDT","date":"2025-03-17","close":"2056.06"},
              {"venue":"binance","base":"ETH","quote":"USDT","date":"2025-03-19","close":"2056,06"}]}
            """;
        const string read = """{"asset":"ETH","date":"2025-03-19","venue":"binance","quote_currency":"USDT"}""";

        var before = await Python(GetQuote, read);
        var report = await Python(ImportCloses, rows, WriterKey);
        var after = await Python(GetQuote, read);

        Assert.Equal(("NOT_FOUND", "PRICE_NOT_FOUND"), (before.GetProperty("code").GetString(), before.GetProperty("reason").GetString()));
        var r = Ok(report);
        Assert.Equal((1, 1, 0), (Int(r, "added"), Int(r, "unchanged"), Int(r, "replaced")));
        Assert.Equal([(2, "CONFLICTING_VALUE", "ALREADY_EXISTS"), (3, "INVALID_DECIMAL", "INVALID_ARGUMENT")], Rejections(r));
        Assert.Equal("close", r.GetProperty("rejected")[1].GetProperty("error").GetProperty("field").GetString());
        var quote = Ok(after);
        Assert.Equal("2056.06", quote.GetProperty("close").GetString());
        // 2056.06 USDT × 81.5018 (CBR USD in force on 19.03.2025, from the fixture)
        Assert.Equal(167572.590908m, Dec(quote.GetProperty("price_rub")));
        Assert.Equal("2025-03-19", quote.GetProperty("provenance").GetProperty("cbr_effective_date").GetString());
    }

    [Fact]
    public async Task ImportCbrRates_ViaConnectJson_WithWriterKey_ReportsEachRowAndTheRatesAreThenReadable()
    {
        // 0, 1: new (21 and 22.01.2025, after the fixture's 18.01); 2: held by the fixture; 3: nominal 0
        const string rows = """
            {"rates":[
              {"currency":"USD","effective_date":"2025-01-21","nominal":1,"value":"101.9579"},
              {"currency":"USD","effective_date":"2025-01-22","nominal":1,"value":"99.9282"},
              {"currency":"USD","effective_date":"2025-01-18","nominal":1,"value":"102.4137"},
              {"currency":"USD","effective_date":"2025-01-17","nominal":0,"value":"102.3762"}]}
            """;

        var before = await Connect(GetCbrRate, """{"currency":"USD","date":"2025-01-21"}""");
        var report = await Connect(ImportRates, rows, WriterKey);
        var tuesday = await Connect(GetCbrRate, """{"currency":"USD","date":"2025-01-21"}""");
        var wednesday = await Connect(GetCbrRate, """{"currency":"USD","date":"2025-01-22"}""");

        Assert.Equal((HttpStatusCode.NotFound, "RATE_NOT_FOUND"), (before.Status, before.Reason));
        Assert.Equal(HttpStatusCode.OK, report.Status);
        var r = report.Json;
        Assert.Equal((2, 1, 0), (Int(r, "added"), Int(r, "unchanged"), Int(r, "replaced")));
        Assert.Equal([(3, "INVALID_AMOUNT", "INVALID_ARGUMENT")], Rejections(r));
        Assert.Equal("nominal", r.GetProperty("rejected")[0].GetProperty("error").GetProperty("field").GetString());
        Assert.Equal((HttpStatusCode.OK, "101.9579", "2025-01-21"),
            (tuesday.Status, tuesday.Json.GetProperty("value").GetString(), tuesday.Json.GetProperty("effectiveDate").GetString()));
        Assert.Equal("99.9282", wednesday.Json.GetProperty("value").GetString());
    }

    [Fact]
    public async Task ImportClosingPrices_ViaConnectJson_WithWriterKey_ReportsEachRowAndTheQuotesAreThenReadable()
    {
        // Binance BTC/USDT: 0, 1: new (11 and 12.03.2025); 2: held by the fixture; 3: the 12.03 close sent for 15.03;
        // 4: a venue id in capitals
        const string rows = """
            {"prices":[
              {"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-11","close":"82932.99"},
              {"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-12","close":"83680.12"},
              {"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-14","close":"83983.2"},
              {"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-15","close":"83680.12"},
              {"venue":"Binance","base":"BTC","quote":"USDT","date":"2025-03-13","close":"81115.78"}]}
            """;
        const string read = """{"asset":"BTC","date":"2025-03-11","venue":"binance","quote_currency":"USDT"}""";

        var before = await Connect(GetQuote, read);
        var report = await Connect(ImportCloses, rows, WriterKey);
        var after = await Connect(GetQuote, read);

        Assert.Equal((HttpStatusCode.NotFound, "PRICE_NOT_FOUND"), (before.Status, before.Reason));
        Assert.Equal(HttpStatusCode.OK, report.Status);
        var r = report.Json;
        Assert.Equal((2, 1, 0), (Int(r, "added"), Int(r, "unchanged"), Int(r, "replaced")));
        Assert.Equal([(3, "CONFLICTING_VALUE", "ALREADY_EXISTS"), (4, "UNKNOWN_VENUE", "INVALID_ARGUMENT")], Rejections(r));
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("82932.99", after.Json.GetProperty("close").GetString());
        // 82932.99 USDT × 88.3872 (CBR USD in force on 11.03.2025, from the fixture)
        Assert.Equal(7330214.773728m, Dec(after.Json.GetProperty("priceRub")));
        Assert.Equal("2025-03-11", after.Json.GetProperty("provenance").GetProperty("cbrEffectiveDate").GetString());
    }

    [Fact]
    public async Task ImportClosingPrices_ViaJsonRoute_UndeclaredVenueAndDatesOutsideTheRangeRefused_DeclaredVenueImportedAndListed()
    {
        // 0: a venue nobody declared; 1: the operator-declared venue (MarketData__ExtraVenues), carrying the Coinbase
        // BTC-USD close of 12.03.2025; 2: before Binance traded; 3: a day that has not closed
        const string rows = """
            {"prices":[
              {"venue":"evil","base":"BTC","quote":"USD","date":"2025-03-12","close":"83659.43"},
              {"venue":"otc-desk","base":"BTC","quote":"USD","date":"2025-03-12","close":"83659.43"},
              {"venue":"binance","base":"BTC","quote":"USDT","date":"1900-01-01","close":"1"},
              {"venue":"binance","base":"BTC","quote":"USDT","date":"2099-01-01","close":"1"}]}
            """;

        var report = await ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Post, "/v1/closing-prices:import", rows, "application/json",
            ("authorization", $"Bearer {WriterKey}"));
        var venues = await Connect("calc.v1.QuoteService/ListVenues", "{}");
        var quote = await Connect(GetQuote, """{"asset":"BTC","date":"2025-03-12","venue":"otc-desk","quote_currency":"USD"}""");
        var undeclared = await Connect(GetQuote, """{"asset":"BTC","date":"2025-03-12","venue":"evil","quote_currency":"USD"}""");

        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Equal(1, Int(report.Json, "added"));
        Assert.Equal([(0, "UNKNOWN_VENUE", "INVALID_ARGUMENT"), (2, "DATE_TOO_EARLY", "INVALID_ARGUMENT"), (3, "PRICE_NOT_FINAL", "FAILED_PRECONDITION")],
            Rejections(report.Json));
        var listed = venues.Json.GetProperty("venues").EnumerateArray().Select(v => v.GetProperty("venue").GetString()).ToList();
        Assert.Contains("otc-desk", listed);
        Assert.DoesNotContain("evil", listed);
        Assert.Equal((HttpStatusCode.OK, "83659.43"), (quote.Status, quote.Json.GetProperty("close").GetString()));
        // 83659.43 USD × 86.5669 (CBR USD in force on 12.03.2025, from the fixture)
        Assert.Equal(83659.43m * 86.5669m, Dec(quote.Json.GetProperty("priceRub")));
        Assert.Equal((HttpStatusCode.BadRequest, "UNKNOWN_VENUE"), (undeclared.Status, undeclared.Reason));
    }

    [Fact]
    public async Task ImportCbrRates_ViaJsonRoute_FutureFloorNominalAndCurrencyRefusedEachByItsIndex()
    {
        // 1: the real CBR USD rate effective 08.06.2024 (shared/data), imported beside five refused rows
        const string rows = """
            {"rates":[
              {"currency":"USD","effective_date":"2099-01-01","nominal":1,"value":"88.9944"},
              {"currency":"USD","effective_date":"2024-06-08","nominal":1,"value":"88.7606"},
              {"currency":"USD","effective_date":"1900-01-01","nominal":1,"value":"1"},
              {"currency":"EUR","effective_date":"2024-06-08","nominal":2147483647,"value":"96.3"},
              {"currency":"XXX","effective_date":"2024-06-08","nominal":1,"value":"1"},
              {"currency":"RUB","effective_date":"2024-06-08","nominal":1,"value":"1"}]}
            """;

        var report = await ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Post, "/v1/cbr-rates:import", rows, "application/json",
            ("authorization", $"Bearer {WriterKey}"));
        var future = await ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Get, "/v1/cbr-rates/USD/2099-01-01");

        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Equal(1, Int(report.Json, "added"));
        Assert.Equal(
            [(0, "DATE_IN_FUTURE", "INVALID_ARGUMENT"), (2, "DATE_TOO_EARLY", "INVALID_ARGUMENT"), (3, "INVALID_NOMINAL", "INVALID_ARGUMENT"),
             (4, "UNKNOWN_CURRENCY", "INVALID_ARGUMENT"), (5, "RUB_IMPLICIT", "INVALID_ARGUMENT")],
            Rejections(report.Json));
        Assert.Equal((HttpStatusCode.BadRequest, "RATE_NOT_PUBLISHED"), (future.Status, future.Reason)); // the refused 2099 rate is not served
    }

    [Fact]
    public async Task ImportClosingPrices_OverwriteAfterTheCloseWasRead_ReadsTheReplacement()
    {
        // Coinbase BTC-USD of 18.03.2025 (fixture: 82698.76) replaced by the Yahoo BTC-USD aggregate of that day
        const string read = """{"asset":"BTC","date":"2025-03-18","venue":"coinbase","quote_currency":"USD"}""";
        const string replacement = """
            {"overwrite":true,"prices":[{"venue":"coinbase","base":"BTC","quote":"USD","date":"2025-03-18","close":"82718.5"}]}
            """;

        var before = await Connect(GetQuote, read);
        var report = await Connect(ImportCloses, replacement, WriterKey);
        var after = await Connect(GetQuote, read);

        Assert.Equal("82698.76", before.Json.GetProperty("close").GetString());
        Assert.Equal(1, Int(report.Json, "replaced"));
        Assert.Equal("82718.5", after.Json.GetProperty("close").GetString());
    }

    [SharedDataFact]
    public async Task Import_ViaConnectJson_AMonthOfTheSharedRealSeries_IsReadBackDayByDay()
    {
        // May 2025 from shared/data: the CBR USD rates (with the May-holiday gap) and the Binance ETH/USDT closes
        var rates = File.ReadLines(SharedData.PathOf("cbr-rates.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[1] == "USD" && f[0].StartsWith("2025-05-", StringComparison.Ordinal))
            .Select(f => (Date: f[0], Nominal: int.Parse(f[2], CultureInfo.InvariantCulture), Value: f[3])).ToList();
        var closes = File.ReadLines(SharedData.PathOf("closes.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] == "binance" && f[1] == "ETH" && f[2] == "USDT" && f[3].StartsWith("2025-05-", StringComparison.Ordinal))
            .Select(f => (Date: f[3], Close: f[4])).ToList();
        Assert.True(rates.Count > 10 && closes.Count == 31, $"{rates.Count} rates, {closes.Count} closes of May 2025 in shared/data");
        string rateRows = string.Join(",", rates.Select(r =>
            $$"""{"currency":"USD","effective_date":"{{r.Date}}","nominal":{{r.Nominal.ToString(CultureInfo.InvariantCulture)}},"value":"{{r.Value}}"}"""));
        string closeRows = string.Join(",", closes.Select(c =>
            $$"""{"venue":"binance","base":"ETH","quote":"USDT","date":"{{c.Date}}","close":"{{c.Close}}"}"""));
        string quoteRequests = string.Join(",", closes.Select(c => $$"""{"id":"{{c.Date}}","asset":"ETH","venue":"binance","quote_currency":"USDT","date":"{{c.Date}}"}"""));

        var rateReport = await Connect(ImportRates, $$"""{"rates":[{{rateRows}}]}""", WriterKey);
        var closeReport = await Connect(ImportCloses, $$"""{"prices":[{{closeRows}}]}""", WriterKey);
        var listed = await Connect("calc.v1.QuoteService/ListCbrRates", """{"currencies":["USD"],"from":"2025-05-01","to":"2025-05-31"}""");
        var quotes = await Connect("calc.v1.QuoteService/BatchGetQuotes", $$"""{"requests":[{{quoteRequests}}]}""");

        Assert.Equal((rates.Count, 0), (Int(rateReport.Json, "added"), Rejections(rateReport.Json).Length));
        Assert.Equal((closes.Count, 0), (Int(closeReport.Json, "added"), Rejections(closeReport.Json).Length));
        // every day of May has the rate of the last setting on or before it (1 May covers the holidays to 5 May)
        var days = listed.Json.GetProperty("rates").EnumerateArray().ToList();
        Assert.Equal(31, days.Count);
        foreach (var day in days)
        {
            string date = day.GetProperty("date").GetString()!;
            var inForce = rates.Last(r => string.CompareOrdinal(r.Date, date) <= 0);
            Assert.Equal((date, inForce.Date, inForce.Value), (date, day.GetProperty("effectiveDate").GetString(), day.GetProperty("value").GetString()));
        }

        var results = quotes.Json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(closes.Count, results.Count);
        for (int i = 0; i < closes.Count; i++)
        {
            var quote = results[i].GetProperty("quote");
            var inForce = rates.Last(r => string.CompareOrdinal(r.Date, closes[i].Date) <= 0);
            decimal close = decimal.Parse(closes[i].Close, CultureInfo.InvariantCulture);
            decimal expected = close * decimal.Parse(inForce.Value, CultureInfo.InvariantCulture) / inForce.Nominal;
            Assert.Equal((closes[i].Date, close, expected), (quote.GetProperty("date").GetString(), Dec(quote.GetProperty("close")), Dec(quote.GetProperty("priceRub"))));
        }
    }

    private async Task AssertAprilFirstStillUnknownAsync()
    {
        var rate = await Connect(GetCbrRate, """{"currency":"USD","date":"2025-04-01"}""");
        var venues = await Connect("calc.v1.QuoteService/ListVenues", "{}");

        Assert.Equal((HttpStatusCode.NotFound, "RATE_NOT_FOUND"), (rate.Status, rate.Reason));
        var btc = venues.Json.GetProperty("venues").EnumerateArray().Single(v => v.GetProperty("venue").GetString() == "binance")
            .GetProperty("pairs").EnumerateArray().Single(p => p.GetProperty("base").GetString() == "BTC");
        Assert.Equal("2025-03-18", btc.GetProperty("lastDate").GetString());
    }

    private Task<JsonElement> Python(string method, string json, string key = "") =>
        PythonClient.CallAsync(fixture.Server.GrpcAddress, method, json, key.Length == 0 ? Array.Empty<string>() : new[] { $"x-api-key={key}" });

    private Task<ConnectJson.Reply> Connect(string method, string json, string key = "") =>
        ConnectJson.PostAsync(fixture.Server.Http1Address, method, json, key.Length == 0 ? null : key);

    private static JsonElement Ok(JsonElement outcome)
    {
        Assert.True(outcome.GetProperty("ok").GetBoolean(), outcome.ToString());
        return outcome.GetProperty("response");
    }

    /// <summary>An int32 field; the Python client's JSON leaves out fields at their default (0).</summary>
    private static int Int(JsonElement message, string name) => message.TryGetProperty(name, out var v) ? v.GetInt32() : 0;

    private static decimal Dec(JsonElement value) => decimal.Parse(value.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static (int Index, string Reason, string Code)[] Rejections(JsonElement report) =>
        report.TryGetProperty("rejected", out var rejected)
            ? rejected.EnumerateArray().Select(r => (Int(r, "index"), r.GetProperty("error").GetProperty("reason").GetString()!,
                r.GetProperty("error").GetProperty("code").GetString()!)).ToArray()
            : [];
}

/// <summary>One server with the small fixture imported, a writer and a read-only API key, and one operator-declared venue.</summary>
public sealed class KeyedServerFixture : IAsyncLifetime
{
    public const string WriterKey = "calc-e2e-writer-5d21";
    public const string ReaderKey = "calc-e2e-reader-c04e";

    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["MarketData__ImportPath"] = Fixtures.SmallImport,
        ["Auth__ApiKeys"] = $"erp={WriterKey};bank={ReaderKey}=read",
        ["MarketData__ExtraVenues"] = "otc-desk",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
