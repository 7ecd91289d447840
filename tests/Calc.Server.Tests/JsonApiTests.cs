using System.Net;
using System.Text;
using System.Text.Json;
using Calc.Server.Tests.Infrastructure;
using Calc.Tests.Shared;
using Calc.V1;

namespace Calc.Server.Tests;

/// <summary>
/// The JSON surface (JSON transcoding over HTTP/1.1) against the real server process: the body check that
/// names the JSON path of the first offending field, gRPC and JSON on the same path, the google.api.http
/// routes beside the old POST /calc.v1.&lt;Service&gt;/&lt;Method&gt; URLs, the OpenAPI document, JSON bodies
/// with reason tokens for 404/405/413/415 and TOO_MANY_ITEMS, and the README's 1C request.
/// </summary>
public sealed class JsonApiTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    private const string Receipt0 = """{"id":"a","receivedAt":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.05"}""";

    private Task<ConnectJson.Reply> Post(string path, string body, string contentType = "application/json") =>
        ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Post, path, body, contentType);

    private Task<ConnectJson.Reply> Get(string path) => ConnectJson.SendAsync(fixture.Server.Http1Address, HttpMethod.Get, path);

    /// <summary>(body of RecognizeIncome, JSON path of the first offending field, reason, words the message must hold).</summary>
    public static TheoryData<string, string, string, string> BadBodies => new()
    {
        // a Russian date where an RFC 3339 instant is expected, in the second receipt
        { $$"""{"receipts":[{{Receipt0}},{"id":"b","receivedAt":"15.03.2025","asset":"BTC","amount":"1"}]}""", "receipts[1].receivedAt", "INVALID_TIMESTAMP", "RFC 3339" },
        // 1C's line number written as a JSON number
        { """{"receipts":[{"id":1,"receivedAt":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.05"}]}""", "receipts[0].id", "INVALID_JSON_VALUE", "write it in quotes" },
        // an amount as a JSON number (a decimal is a string with a point)
        { """{"receipts":[{"id":"a","receivedAt":"2025-03-15T21:30:00Z","asset":"BTC","amount":0.05}]}""", "receipts[0].amount", "INVALID_JSON_VALUE", "expected a JSON string" },
        // a typo inside the nested policy names that message type
        { $$"""{"policy":{"timeZon":"Europe/Moscow"},"receipts":[{{Receipt0}}]}""", "policy.timeZon", "UNKNOWN_FIELD", "calc.v1.ValuationPolicy" },
        // a typo inside a receipt names MiningReceipt
        { """{"receipts":[{"id":"a","recievedAt":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.05"}]}""", "receipts[0].recievedAt", "UNKNOWN_FIELD", "calc.v1.MiningReceipt" },
        { """{"policy":{"usdtPolicy":"USDT_SOMETIMES"},"receipts":[]}""", "policy.usdtPolicy", "INVALID_ENUM", "USDT_SOMETIMES" },
        { "receipts: none", "", "MALFORMED_JSON", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task JsonBody_WithABadField_IsRefusedNamingItsJsonPath(string body, string field, string reason, string words)
    {
        foreach (var path in new[] { "/v1/income:recognize", "/calc.v1.IncomeService/RecognizeIncome" })
        {
            var reply = await Post(path, body);

            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            Assert.Equal("application/json", reply.ContentType);
            Assert.Equal(3, reply.Json.GetProperty("code").GetInt32());
            Assert.Equal(reason, reply.Reason);
            Assert.Equal(field.Length == 0 ? null : field, reply.Violation?.Field); // a whole-body problem names no field
            Assert.Contains(words, reply.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SamePath_AnswersGrpcAndJson_AndTheNewRouteAnswersTheSame()
    {
        using var client = new CalcClient(fixture.Server.GrpcAddress);
        var grpc = await client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" });
        // JSON on the gRPC port (HTTP/2 cleartext) at the very path the gRPC call used
        using var h2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var h2Response = await h2.PostAsync(new Uri(fixture.Server.GrpcAddress, "/calc.v1.QuoteService/GetCbrRate"),
            new StringContent("""{"currency":"USD","date":"2025-01-05"}""", Encoding.UTF8, "application/json"));
        string h2Json = await h2Response.Content.ReadAsStringAsync();
        // the old URL and the new route on the HTTP/1.1 port
        var old = await Post("/calc.v1.QuoteService/GetCbrRate", """{"currency":"USD","date":"2025-01-05"}""");
        var route = await Get("/v1/cbr-rates/USD/2025-01-05");

        Assert.Equal(("2024-12-29", "101.6797"), (grpc.EffectiveDate, grpc.Value));
        Assert.Equal(HttpStatusCode.OK, h2Response.StatusCode);
        Assert.Equal(new Version(2, 0), h2Response.Version);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (old.Status, route.Status));
        Assert.Equal(old.Text, route.Text);
        Assert.Equal(old.Text, h2Json);
        // the JSON is the gRPC answer in proto3 JSON form
        Assert.Equal(Google.Protobuf.JsonParser.Default.Parse<CbrRate>(route.Text), grpc);
    }

    [Fact]
    public async Task SamePath_ErrorsAgreeBetweenGrpcAndJson()
    {
        using var client = new CalcClient(fixture.Server.GrpcAddress);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-02-30" }));
        var old = await Post("/calc.v1.QuoteService/GetCbrRate", """{"currency":"USD","date":"2025-02-30"}""");
        var route = await Get("/v1/cbr-rates/USD/2025-02-30");

        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_DATE"), (old.Status, old.Reason));
        Assert.Equal(old.Text, route.Text);
        Assert.Equal(grpc.Status.Detail, old.Json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task OpenApi_IsServed_ListsTheRoutesAndOldUrls_WithTheProtoComments()
    {
        var reply = await Get("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var paths = reply.Json.GetProperty("paths");
        Assert.True(paths.GetProperty("/v1/cbr-rates/{currency}/{date}").TryGetProperty("get", out var getRate));
        Assert.True(paths.GetProperty("/v1/income:recognize").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/v1/deadlines/{year}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/calc.v1.IncomeService/RecognizeIncome").TryGetProperty("post", out _));
        // every unary method of calc.v1 has a route; the streaming method has none (gRPC only)
        Assert.Equal(14, paths.EnumerateObject().Count(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)));
        Assert.DoesNotContain(paths.EnumerateObject(), p => p.Name.Contains("StreamRecognizeIncome", StringComparison.Ordinal));
        // the comment above rpc GetCbrRate in protos/calc/v1/quotes.proto
        Assert.StartsWith("The CBR rate of `currency` in force on `date`", getRate.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    /// <summary>(HTTP method, path, content type or null for no body, HTTP status, reason).</summary>
    public static TheoryData<string, string, string?, int, string> HttpErrors => new()
    {
        { "GET", "/v1/no-such-thing", null, 404, "UNKNOWN_ROUTE" },
        { "POST", "/calc.v1.QuoteService/NoSuchMethod", "application/json", 404, "UNKNOWN_ROUTE" },
        { "DELETE", "/v1/cbr-rates/USD/2025-01-05", null, 405, "METHOD_NOT_ALLOWED" },
        { "PUT", "/v1/quotes/BTC/2025-03-16", null, 405, "METHOD_NOT_ALLOWED" },
        // two-segment paths also match grpc-dotnet's catch-all for unimplemented gRPC methods (any verb, refused
        // by its constraint), so ASP.NET Core routing has no 405 for them: the answer is the 404 body
        { "GET", "/v1/income:recognize", null, 404, "UNKNOWN_ROUTE" },
        // the streaming method is gRPC only
        { "POST", "/calc.v1.IncomeService/StreamRecognizeIncome", "application/json", 415, "UNSUPPORTED_MEDIA_TYPE" },
        // a JSON route called with another media type, or none
        { "POST", "/v1/income:recognize", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE" },
        { "POST", "/calc.v1.QuoteService/GetCbrRate", "", 415, "UNSUPPORTED_MEDIA_TYPE" },
    };

    [Theory]
    [MemberData(nameof(HttpErrors))]
    public async Task HttpError_HasAJsonBodyWithAReasonToken(string method, string path, string? contentType, int status, string reason)
    {
        var reply = await ConnectJson.SendAsync(fixture.Server.Http1Address, new HttpMethod(method), path,
            contentType is null ? null : """{"currency":"USD","date":"2025-01-05"}""", contentType);

        Assert.Equal(status, (int)reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(reason, reply.Reason);
        Assert.False(string.IsNullOrWhiteSpace(reply.Json.GetProperty("message").GetString()));
        Assert.True(reply.Json.GetProperty("code").GetInt32() > 0);
    }

    [Fact]
    public async Task TooManyItems_OverJson_SaysToSplitTheBatchAndThatStreamingNeedsHttp2()
    {
        var body = new StringBuilder("""{"receipts":[""");
        for (int i = 0; i < 10_001; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture,
                $$"""{"id":"r{{i}}","receivedAt":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.001"}""");
        }

        var reply = await Post("/v1/income:recognize", body.Append("]}").ToString());

        Assert.Equal((HttpStatusCode.BadRequest, "TOO_MANY_ITEMS"), (reply.Status, reply.Reason));
        string message = reply.Json.GetProperty("message").GetString()!;
        Assert.Contains("receipts has 10001 items; the limit per call is 10000", message, StringComparison.Ordinal);
        Assert.Contains("Over HTTP/1.1 JSON split the receipts into several calls", message, StringComparison.Ordinal);
        Assert.Contains("needs HTTP/2", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyItems_OverGrpc_OffersTheStreamInstead()
    {
        using var client = new CalcClient(fixture.Server.GrpcAddress);
        var request = new RecognizeIncomeRequest();
        for (int i = 0; i < 10_001; i++)
        {
            request.Receipts.Add(new MiningReceipt { Id = $"r{i}", ReceivedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)), Asset = "BTC", Amount = "0.001" });
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => client.RecognizeIncomeAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("or send the receipts through StreamRecognizeIncome", e.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedMessage_NamesTheLimitInBytes_OverGrpcAndJson()
    {
        const int limit = 16 * 1024 * 1024; // Grpc:MaxReceiveMessageSize default
        string padding = new('x', limit + 1);
        using var client = new CalcClient(fixture.Server.GrpcAddress);

        var grpc = await Assert.ThrowsAsync<RpcException>(() => client.GetCbrRateAsync(new GetCbrRateRequest { Currency = padding, Date = "2025-01-05" }));
        var json = await Post("/v1/income:recognize", $$"""{"receipts":[{"id":"{{padding}}"}]}""");

        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Contains($"limit of {limit} bytes (Grpc:MaxReceiveMessageSize)", grpc.Status.Detail, StringComparison.Ordinal);
        var info = Google.Rpc.Status.Parser.ParseFrom(grpc.Trailers.GetValueBytes("grpc-status-details-bin")).Details.Single().Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal("MESSAGE_TOO_LARGE", info.Reason);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "MESSAGE_TOO_LARGE"), (json.Status, json.Reason));
        Assert.Equal(8, json.Json.GetProperty("code").GetInt32());
        Assert.Contains($"limit of {limit} bytes", json.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadmeOneCRequest_IsAccepted()
    {
        // README "For 1C integrators": the line number goes out as a string (Формат(Строка.НомерСтроки, "ЧГ=0")), since
        // a JSON number for a string field is refused (INVALID_JSON_VALUE above)
        string readme = await File.ReadAllTextAsync(Path.Combine(SharedData.RepoRoot, "README.md"));
        string bsl = readme[readme.IndexOf("```bsl", StringComparison.Ordinal)..];
        bsl = bsl[..bsl.IndexOf("\n```", 6, StringComparison.Ordinal)];
        Assert.Contains("Формат(Строка.НомерСтроки, \"ЧГ=0\")", bsl, StringComparison.Ordinal);
        Assert.Contains("Новый HTTPЗапрос(\"/calc.v1.IncomeService/RecognizeIncome\")", bsl, StringComparison.Ordinal);

        // what ЗаписатьJSON writes for that Структура: tab indentation, CRLF line ends, keys in insertion order
        string body = "{\r\n\t\"policy\": {\r\n\t\t\"venue\": \"binance\",\r\n\t\t\"quoteCurrency\": \"USDT\",\r\n\t\t\"timeZone\": \"Europe/Moscow\"\r\n\t},\r\n"
            + "\t\"receipts\": [\r\n\t\t{\r\n\t\t\t\"id\": \"1\",\r\n\t\t\t\"receivedAt\": \"2025-03-15T21:30:00Z\",\r\n\t\t\t\"asset\": \"BTC\",\r\n\t\t\t\"amount\": \"0.05\"\r\n\t\t}\r\n\t]\r\n}";
        var reply = await Post("/calc.v1.IncomeService/RecognizeIncome", body);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var result = reply.Json.GetProperty("results")[0];
        Assert.Equal("1", result.GetProperty("receiptId").GetString());
        // 0.05 × 82574.53 (Binance BTC/USDT close of 16.03.2025) × 85.5694 (CBR USD in force that day)
        Assert.Equal(("353292.65", "2025-03-16"), (result.GetProperty("income").GetProperty("incomeRub").GetString(),
            result.GetProperty("income").GetProperty("incomeDate").GetString()));
        Assert.Equal("2025-04-21", reply.Json.GetProperty("totals")[0].GetProperty("reportDueDate").GetString());
    }
}
