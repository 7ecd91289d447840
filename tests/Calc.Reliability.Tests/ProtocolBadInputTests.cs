using System.Text;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf;

namespace Calc.Reliability.Tests;

/// <summary>
/// Malformed requests below the message level, which a typed client cannot produce: bodies that are not JSON or
/// not protobuf, invalid UTF-8, deep nesting, bad framing and headers. Each gets a clear status (and no crash).
/// </summary>
public sealed class ProtocolBadInputTests(ReliabilityServerFixture fixture) : IClassFixture<ReliabilityServerFixture>, IDisposable
{
    private const string GetCbrRate = "calc.v1.QuoteService/GetCbrRate";
    private readonly HttpClient _http1 = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _h2 = Wire.NewH2Client();

    /// <summary>(name, content type, body, expected status, expected reason or "" for none).</summary>
    public static TheoryData<string, string, byte[], string, string> ConnectRows => new()
    {
        { "not JSON", "application/json", Utf8("{\"currency\":"), "INVALID_ARGUMENT", "MALFORMED_JSON" },
        { "JSON array", "application/json", Utf8("[1,2]"), "INVALID_ARGUMENT", "INVALID_JSON_VALUE" },
        // unknown JSON fields are rejected: a misspelt optional field must not silently become its default
        { "unknown field", "application/json", Utf8("""{"currency":"USD","date":"2025-01-05","colour":"red"}"""), "INVALID_ARGUMENT", "UNKNOWN_FIELD" },
        { "number for a string", "application/json", Utf8("""{"currency":840,"date":"2025-01-05"}"""), "INVALID_ARGUMENT", "INVALID_JSON_VALUE" },
        { "unknown enum name", "application/json", Utf8("""{"tax_year":2025,"residency":"RESIDENCY_MARTIAN","mining_income_rub":"1"}"""), "INVALID_ARGUMENT", "INVALID_ENUM" },
        { "deep nesting", "application/json", Utf8(new string('[', 10_000) + new string(']', 10_000)), "INVALID_ARGUMENT", "INVALID_JSON_VALUE" },
        { "invalid UTF-8", "application/json", [.. Utf8("{\"currency\":\"US"), 0xC3, 0x28, .. Utf8("\",\"date\":\"2025-01-05\"}")], "INVALID_ARGUMENT", "INVALID_UTF8" },
        // binary bodies are gRPC's (application/grpc); the JSON URLs say which media type they take
        { "protobuf body on a JSON URL", "application/proto", [0x0A, 0x10, 0x55], "INVALID_ARGUMENT", "UNSUPPORTED_MEDIA_TYPE" },
        { "over the size limit", "application/json", Utf8("{\"currency\":\"" + new string('A', ReliabilityServerFixture.MessageLimit + 10) + "\"}"), "RESOURCE_EXHAUSTED", "MESSAGE_TOO_LARGE" },
        { "text/plain", "text/plain", Utf8("hello"), "INVALID_ARGUMENT", "UNSUPPORTED_MEDIA_TYPE" },
    };

    [Theory]
    [MemberData(nameof(ConnectRows))]
    public async Task ConnectBody_Malformed_GetsStatus(string name, string contentType, byte[] body, string status, string reason)
    {
        using var content = Wire.Bytes(body, contentType);

        var outcome = await Wire.ConnectAsync(_http1, fixture.Server.Http1Address, name == "unknown enum name" ? "calc.v1.TaxService/ComputeNdfl" : GetCbrRate, content);

        Assert.True(outcome.Status == status && (outcome.Reason ?? "") == reason, $"{name}: {outcome}");
        Assert.False(fixture.Server.HasExited);
    }

    /// <summary>(name, method, gRPC body, expected status, expected reason or "").</summary>
    public static TheoryData<string, string, byte[], string, string> GrpcRows => new()
    {
        // INTERNAL for an unparsable or mis-framed message, as grpc-go and grpc-java answer
        { "truncated protobuf", GetCbrRate, Wire.Frame([0x0A, 0x10, 0x55]), "INVALID_ARGUMENT", "MALFORMED_MESSAGE" },
        { "invalid UTF-8 in a string field", GetCbrRate, Wire.Frame([0x0A, 0x03, 0x55, 0xC3, 0x28, 0x12, 0x0A, .. Utf8("2025-01-05")]), "INVALID_ARGUMENT", "MALFORMED_MESSAGE" },
        { "wrong wire type for a field", GetCbrRate, Wire.Frame([0x08, 0x01]), "INVALID_ARGUMENT", "MISSING_FIELD" },
        { "frame length beyond the body", GetCbrRate, [0, 0, 0, 1, 0, 0x0A], "INTERNAL", "" },
        { "compressed flag without grpc-encoding", GetCbrRate, Wire.Frame(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }.ToByteArray(), compressed: true), "INTERNAL", "" },
        { "frame over the size limit", GetCbrRate, Wire.Frame(new byte[ReliabilityServerFixture.MessageLimit + 1]), "RESOURCE_EXHAUSTED", "MESSAGE_TOO_LARGE" },
        { "two messages to a unary method", GetCbrRate, [.. Wire.Frame(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }.ToByteArray()), .. Wire.Frame(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-06" }.ToByteArray())], "INTERNAL", "" },
        { "no message to a unary method", GetCbrRate, [], "INTERNAL", "" },
        { "unknown method", "calc.v1.QuoteService/GetPrice", Wire.Frame([]), "UNIMPLEMENTED", "" },
        { "unknown service", "calc.v9.Nope/Get", Wire.Frame([]), "UNIMPLEMENTED", "" },
        { "duplicated field (last one wins, still valid)", GetCbrRate, Wire.Frame([0x0A, 0x03, .. Utf8("GBP"), 0x0A, 0x03, .. Utf8("USD"), 0x12, 0x0A, .. Utf8("2025-01-05")]), "OK", "" },
    };

    [Theory]
    [MemberData(nameof(GrpcRows))]
    public async Task GrpcBody_Malformed_GetsStatus(string name, string method, byte[] body, string status, string reason)
    {
        var outcome = await Wire.GrpcAsync(_h2, fixture.Server.GrpcAddress, method, body);

        Assert.True(outcome.Status == status && (outcome.Reason ?? "") == reason, $"{name}: {outcome}");
    }

    /// <summary>(name, header, value, expected status).</summary>
    public static TheoryData<string, string, string, string> HeaderRows => new()
    {
        // unparsable -bin metadata is ignored (Calc reads none)
        // grpc-dotnet ignores a grpc-timeout it cannot parse (the call runs without a client deadline, still
        // under Grpc:MaxDeadline when set); a grpc-encoding matters only for a compressed message (flag 1), and
        // this one is not compressed
        { "grpc-timeout without unit", "grpc-timeout", "100", "OK" },
        { "grpc-timeout of 9 digits", "grpc-timeout", "123456789S", "OK" },
        { "grpc-timeout negative", "grpc-timeout", "-5S", "OK" },
        // the largest values the gRPC spec allows (8 digits): clamped to Grpc:MaxDeadline (default one hour)
        { "grpc-timeout 99999999H (spec maximum)", "grpc-timeout", "99999999H", "OK" },
        { "grpc-timeout 71583M", "grpc-timeout", "71583M", "OK" },
        { "grpc-timeout 99999999S", "grpc-timeout", "99999999S", "OK" },
        { "grpc-timeout 99999999m", "grpc-timeout", "99999999m", "OK" },
        { "grpc-timeout 99999999u", "grpc-timeout", "99999999u", "OK" },
        { "unsupported grpc-encoding on an uncompressed message", "grpc-encoding", "br", "OK" },
        { "bad base64 in a -bin header", "x-trace-bin", "!!!not base64!!!", "OK" },
        { "huge custom header", "x-note", new string('a', 12_000), "OK" },
    };

    [Theory]
    [MemberData(nameof(HeaderRows))]
    public async Task GrpcHeader_Malformed_GetsStatus(string name, string header, string value, string status)
    {
        var body = Wire.Frame(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }.ToByteArray());

        var outcome = await Wire.GrpcAsync(_h2, fixture.Server.GrpcAddress, GetCbrRate, body, [new(header, value)]);

        Assert.True(outcome.Status == status, $"{name}: {outcome}");
    }

    public void Dispose()
    {
        _http1.Dispose();
        _h2.Dispose();
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
