using System.Net;
using Calc.Interop.Testing;
using Calc.Transport.Grpc.Rpc;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class UnaryTests(ServerFixture server)
{
    private const string Run = "/calc.transport.test.Probe/Run";

    [Fact]
    public async Task Unary_LargeUnary_ResponseOfRequestedSizeAndStatusInTrailers()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var request = new SimpleRequest { ResponseSize = 314_159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271_828]) } };

        // Act
        var response = await RawGrpc.CallAsync(client, "/grpc.testing.TestService/UnaryCall", request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal("application/grpc", response.ContentHeaders.ContentType?.MediaType);
        Assert.Equal(0, response.GrpcStatus);
        Assert.False(response.TrailersOnly);
        Assert.Equal(314_159, response.Message(SimpleResponse.Parser).Payload.Body.Length);
    }

    [Fact]
    public async Task Unary_RequestSplitAtEveryOffset_SameAnswer()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var body = RawGrpc.Frame(new ProbeRequest { Kind = "split-check" });

        for (var cut = 0; cut <= body.Length; cut++)
        {
            // Act
            var plan = cut == body.Length ? Enumerable.Range(1, body.Length - 1).ToArray() : [cut];
            var response = await RawGrpc.SendAsync(client, RawGrpc.Request(Run, body, splitAt: plan));

            // Assert
            Assert.True(response.GrpcStatus == 0, $"cut {cut}: {response.GrpcMessage}");
            Assert.Equal("ok:split-check", response.Message(ProbeReply.Parser).Text);
        }
    }

    [Fact]
    public async Task Unary_ServiceThrowsRpcException_TrailersOnlyWithPercentEncodedMessage()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n" } };

        // Act
        var response = await RawGrpc.CallAsync(client, "/grpc.testing.TestService/UnaryCall", request);

        // Assert
        Assert.True(response.TrailersOnly);
        Assert.Empty(response.Messages);
        Assert.Equal(2, response.GrpcStatus);
        Assert.Equal("%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP %F0%9F%98%88%09%0A", response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_CalcException_InvalidArgumentWithStatusDetailsBin()
    {
        // Arrange
        using var client = server.CreateHttp2Client();

        // Act
        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "calc" });

        // Assert
        Assert.Equal(3, response.GrpcStatus);
        Assert.Equal("amount '1,5' is not a decimal", response.GrpcMessage);
        var bin = response.Value("grpc-status-details-bin")!;
        var rich = Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(bin + new string('=', (4 - (bin.Length % 4)) % 4)));
        Assert.Equal(3, rich.Code);
        Assert.Equal("INVALID_DECIMAL", rich.Details[0].Unpack<ErrorInfo>().Reason);
        Assert.Equal("items[3].amount", rich.Details[1].Unpack<BadRequest>().FieldViolations[0].Field);
    }

    [Fact]
    public async Task Unary_FailedPreconditionHelper_PreconditionFailureDecodedFromTheWire()
    {
        // Arrange: the probe throws GrpcErrors.FailedPrecondition(PRICE_NOT_FINAL, "BTC/USDT 2025-01-12", "daily close not final yet")
        using var client = server.CreateHttp2Client();

        // Act
        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "rpc" });

        // Assert
        Assert.Equal(9, response.GrpcStatus);
        Assert.Equal("daily close not final yet", response.GrpcMessage);
        var rich = StatusDetails(response);
        Assert.Equal(9, rich.Code);
        Assert.Equal("daily close not final yet", rich.Message);
        Assert.Equal(2, rich.Details.Count);
        var info = rich.Details[0].Unpack<ErrorInfo>();
        Assert.Equal("PRICE_NOT_FINAL", info.Reason);
        Assert.Equal("calc.v1", info.Domain);
        Assert.Equal("type.googleapis.com/google.rpc.PreconditionFailure", rich.Details[1].TypeUrl); // what generic decoders look up
        var violation = Assert.Single(rich.Details[1].Unpack<PreconditionFailure>().Violations);
        Assert.Equal("PRICE_NOT_FINAL", violation.Type);
        Assert.Equal("BTC/USDT 2025-01-12", violation.Subject);
        Assert.Equal("daily close not final yet", violation.Description);
    }

    [Fact]
    public async Task Unary_UnavailableHelper_RetryInfoDecodedFromTheWire()
    {
        // Arrange: the probe throws GrpcErrors.Unavailable(UPSTREAM_UNAVAILABLE, "CBR is down", Millis)
        using var client = server.CreateHttp2Client();

        // Act
        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "unavailable", Millis = 30_250 });

        // Assert
        Assert.Equal(14, response.GrpcStatus);
        Assert.Equal("CBR is down", response.GrpcMessage);
        var rich = StatusDetails(response);
        Assert.Equal(14, rich.Code);
        Assert.Equal("UPSTREAM_UNAVAILABLE", rich.Details[0].Unpack<ErrorInfo>().Reason);
        Assert.Equal("type.googleapis.com/google.rpc.RetryInfo", rich.Details[1].TypeUrl);
        var delay = rich.Details[1].Unpack<RetryInfo>().RetryDelay;
        Assert.Equal(30, delay.Seconds);
        Assert.Equal(250_000_000, delay.Nanos);
    }

    [Fact]
    public async Task Unary_UnexpectedException_InternalWithCorrelationIdOnly()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "crash" });

        Assert.Equal(13, response.GrpcStatus);
        Assert.StartsWith("internal error (correlation id ", response.GrpcMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", response.GrpcMessage, StringComparison.Ordinal);
        Assert.Null(response.Value("grpc-status-details-bin"));
    }

    [Theory]
    [InlineData("/grpc.testing.TestService/NoSuchMethod")]
    [InlineData("/grpc.testing.UnimplementedService/UnimplementedCall")]
    [InlineData("/no.such.Service/Call")]
    public async Task Unary_UnknownServiceOrMethod_UnimplementedNot404(string path)
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, path, new Empty());

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.True(response.TrailersOnly);
        Assert.Equal(12, response.GrpcStatus);
        Assert.Contains(path, response.GrpcMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/grpc+json")]
    [InlineData("application/xml")]
    public async Task Unary_NonGrpcContentType_Http415(string contentType)
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.SendAsync(client, RawGrpc.Request(Run, RawGrpc.Frame(new ProbeRequest()), contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Fact]
    public async Task Unary_Metadata_AsciiAndBinaryEchoedAsHeadersAndTrailers()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        (string, string)[] headers = [("x-grpc-test-echo-initial", "test_initial_metadata_value"), ("x-grpc-test-echo-trailing-bin", "q6ur")];

        // Act
        var response = await RawGrpc.CallAsync(client, "/grpc.testing.TestService/EmptyCall", new Empty(), headers);

        // Assert
        Assert.Equal(0, response.GrpcStatus);
        Assert.Equal("test_initial_metadata_value", string.Join(",", response.Headers.GetValues("x-grpc-test-echo-initial")));
        Assert.Equal("q6ur", string.Join(",", response.Trailers.GetValues("x-grpc-test-echo-trailing-bin")));
    }

    [Fact]
    public async Task Unary_ServiceTrailers_SentAfterMessageBinaryUnpadded()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "trailers" }, [("x-custom", "hello")]);

        Assert.Equal("hello", response.Message(ProbeReply.Parser).Text);
        Assert.Equal("t1", string.Join(",", response.Trailers.GetValues("x-trailer")));
        Assert.Equal("q6ur", string.Join(",", response.Trailers.GetValues("x-trailer-bin")));
    }

    [Fact]
    public async Task Unary_RequestOverReceiveLimit_ResourceExhaustedNamingTheLimit()
    {
        using var client = server.CreateHttp2Client();
        var request = new ProbeRequest { Kind = new string('x', ServerFixture.ReceiveLimit) };

        var response = await RawGrpc.CallAsync(client, Run, request);

        Assert.Equal(8, response.GrpcStatus);
        Assert.Equal($"received message of {request.CalculateSize()} bytes exceeds the receive limit of 1048576 bytes (Grpc:MaxReceiveMessageSize)",
            response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_ResponseOverSendLimit_ResourceExhaustedNamingTheLimit()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Run, new ProbeRequest { Kind = "big", Size = ServerFixture.SendLimit + 1 });

        Assert.Equal(8, response.GrpcStatus);
        Assert.Contains("exceeds the send limit of 1048576 bytes (Grpc:MaxSendMessageSize)", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_GzipRequestAndAcceptedGzipResponse_RoundTrip()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var request = new SimpleRequest
        {
            ResponseSize = 314_159,
            ResponseCompressed = new BoolValue { Value = true },
            ExpectCompressed = new BoolValue { Value = true },
            Payload = new Payload { Body = ByteString.CopyFrom(new byte[271_828]) },
        };
        var compressed = Gzip(request.ToByteArray());
        var http = RawGrpc.Request("/grpc.testing.TestService/UnaryCall", RawGrpc.Frame(compressed, compressed: true),
            headers: [("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip")]);

        // Act
        var response = await RawGrpc.SendAsync(client, http);

        // Assert
        Assert.True(response.GrpcStatus == 0, response.GrpcMessage);
        Assert.Equal("gzip", response.Value("grpc-encoding"));
        var (flag, payload) = response.Messages[0];
        Assert.True(flag);
        Assert.Equal(314_159, SimpleResponse.Parser.ParseFrom(Gunzip(payload)).Payload.Body.Length);
    }

    [Fact]
    public async Task Unary_CompressedFlagWithoutEncoding_Internal()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.SendAsync(client, RawGrpc.Request(Run, RawGrpc.Frame(Gzip(new ProbeRequest().ToByteArray()), compressed: true)));

        Assert.Equal(13, response.GrpcStatus);
        Assert.Equal("message is flagged compressed but the request has no grpc-encoding", response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_UnsupportedEncoding_UnimplementedListingSupported()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.SendAsync(client, RawGrpc.Request(Run, RawGrpc.Frame(new ProbeRequest()), headers: [("grpc-encoding", "br")]));

        Assert.Equal(12, response.GrpcStatus);
        Assert.Equal("identity,gzip", response.Value("grpc-accept-encoding"));
    }

    [Theory]
    [InlineData("00 00000003 0A01", "request stream ended inside a message")]
    [InlineData("", "unary request stream ended without a message")]
    [InlineData("00 00000000 00 00000000", "unary request carries more than one message")]
    public async Task Unary_MalformedStream_Internal(string wire, string message)
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.SendAsync(client, RawGrpc.Request(Run, Segments.Hex(wire)));

        Assert.Equal(13, response.GrpcStatus);
        Assert.Equal(message, response.GrpcMessage);
    }

    /// <summary>The google.rpc.Status in grpc-status-details-bin (trailers, or the headers of a Trailers-Only response).</summary>
    private static Rpc.Status StatusDetails(RawResponse response)
    {
        var bin = response.Value("grpc-status-details-bin");
        Assert.NotNull(bin);
        return Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(bin + new string('=', (4 - (bin.Length % 4)) % 4)));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
