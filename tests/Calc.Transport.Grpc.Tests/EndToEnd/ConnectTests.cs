using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Calc.Interop.Testing;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class ConnectTests(ServerFixture server)
{
    private static HttpRequestMessage Json(string path, string json, Version version)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8),
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("connect-protocol-version", "1");
        return request;
    }

    [Fact]
    public async Task ConnectJson_Http11_ProtoJsonResponse()
    {
        // Arrange
        using var client = server.CreateHttp1Client();

        // Act
        using var response = await client.SendAsync(Json("/grpc.testing.TestService/UnaryCall", """{"responseSize": 3, "fillUsername": false}""", HttpVersion.Version11));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("AAAA", json.RootElement.GetProperty("payload").GetProperty("body").GetString());
    }

    [Fact]
    public async Task ConnectJson_Http2_SameAnswerAndErrorShapeAsOverHttp11()
    {
        // Arrange: the gRPC port (h2c, prior knowledge) also serves Connect JSON
        using var client = server.CreateHttp2Client();

        // Act
        using var ok = await client.SendAsync(Json("/grpc.testing.TestService/UnaryCall", """{"responseSize": 3, "fillUsername": false}""", HttpVersion.Version20));
        using var failed = await client.SendAsync(Json("/calc.transport.test.Probe/Run", """{"kind": "calc"}""", HttpVersion.Version20));

        // Assert
        Assert.Equal((HttpStatusCode.OK, new Version(2, 0)), (ok.StatusCode, ok.Version));
        Assert.Equal("application/json", ok.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        Assert.Equal("AAAA", json.RootElement.GetProperty("payload").GetProperty("body").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        using var error = JsonDocument.Parse(await failed.Content.ReadAsStringAsync());
        Assert.Equal("invalid_argument", error.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ConnectProto_Http2_BinaryResponse()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/calc.transport.test.Probe/Run")
        {
            Content = new ByteArrayContent(new ProbeRequest { Kind = "proto" }.ToByteArray()),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/proto");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok:proto", ProbeReply.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).Text);
    }

    [Fact]
    public async Task ConnectJson_CalcError_400WithCodeMessageAndDetails()
    {
        using var client = server.CreateHttp1Client();

        using var response = await client.SendAsync(Json("/calc.transport.test.Probe/Run", """{"kind": "calc"}""", HttpVersion.Version11));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_argument", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("amount '1,5' is not a decimal", json.RootElement.GetProperty("message").GetString());
        var info = json.RootElement.GetProperty("details")[0];
        Assert.Equal("google.rpc.ErrorInfo", info.GetProperty("type").GetString());
        Assert.Equal("items[3].amount", info.GetProperty("debug").GetProperty("metadata").GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("/no.such.Service/Call", 501, "unimplemented")]
    [InlineData("/grpc.testing.TestService/UnimplementedCall", 501, "unimplemented")]
    public async Task ConnectJson_Unimplemented_501(string path, int status, string code)
    {
        using var client = server.CreateHttp1Client();

        using var response = await client.SendAsync(Json(path, "{}", HttpVersion.Version11));

        Assert.Equal(status, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ConnectJson_MalformedJson_InvalidArgument()
    {
        using var client = server.CreateHttp1Client();

        using var response = await client.SendAsync(Json("/grpc.testing.TestService/UnaryCall", "{\"responseSize\": \"x", HttpVersion.Version11));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_argument", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectJson_TimeoutHeader_DeadlineExceeded504()
    {
        using var client = server.CreateHttp1Client();

        // the service would sleep 40 s (past the 30 s waited below) unless its token fires
        var (_, id) = await ServiceReached.WithDeadlineAsync(server.State, "connect-deadline", async id =>
            {
                var request = Json("/calc.transport.test.Probe/Run", $$"""{"kind": "slow", "millis": 40000, "id": "{{id}}"}""", HttpVersion.Version11);
                request.Headers.Add("connect-timeout-ms", "200");
                using var response = await client.SendAsync(request);
                return response.StatusCode;
            },
            status => Assert.Equal(HttpStatusCode.GatewayTimeout, status));

        Assert.True(await server.State.CancelObserved(id).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Grpc_OverHttp11_426UpgradeRequired()
    {
        using var client = server.CreateHttp1Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/grpc.testing.TestService/EmptyCall")
        {
            Content = new ByteArrayContent(RawGrpc.Frame(new Empty())),
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }
}
