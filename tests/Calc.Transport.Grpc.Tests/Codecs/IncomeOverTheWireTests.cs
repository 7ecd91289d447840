using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Calc.Interop;
using Calc.Transport.Grpc.Protocol;
using Calc.Transport.Grpc.Services.Calc;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>The income service on real Kestrel with its codec bound (gzip responses for clients that accept them).</summary>
public sealed class IncomeServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Http1Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        int port = ServerFixture.FreePort(), http1Port = ServerFixture.FreePort();
        _app = InteropHost.Build(port, o => o.ResponseCompression = GrpcProtocol.Gzip, http1Port: http1Port,
            services: IncomeFixture.AddIncome,
            extend: app =>
            {
                IncomeFixture.Import(app.Services);
                app.MapGrpcService<IncomeGrpcService>(V1.IncomeReflection.Descriptor.Services[0]);
            });
        await _app.StartAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http1Address = new Uri($"http://127.0.0.1:{http1Port}");
    }

    public HttpClient Http2() => new(new SocketsHttpHandler())
    {
        BaseAddress = BaseAddress,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public HttpClient Http1() => new() { BaseAddress = Http1Address, Timeout = TimeSpan.FromSeconds(60) };

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// The codec bound into the transport: gRPC binary answers equal Connect JSON's and Connect binary's (which
/// still use the generated messages) byte for byte, gzip both ways, malformed payloads get the standard
/// status, and a stream whose messages arrive packed in one body answers like the reference form.
/// </summary>
public sealed class IncomeOverTheWireTests(IncomeServerFixture server) : IClassFixture<IncomeServerFixture>
{
    private const string Recognize = "/calc.v1.IncomeService/RecognizeIncome";
    private const string Stream = "/calc.v1.IncomeService/StreamRecognizeIncome";

    private static V1.RecognizeIncomeRequest Request()
    {
        var request = new V1.RecognizeIncomeRequest { InlineProvenance = true, Policy = new V1.ValuationPolicy { Venue = "binance" } };
        string[] amounts = ["0.05", "1,5", "0.00012345", "2", "-1"];
        for (int i = 0; i < 40; i++)
        {
            request.Receipts.Add(new V1.MiningReceipt
            {
                Id = i == 7 ? "док-3" : "док-" + i,
                Asset = i % 4 == 0 ? "ETH" : i == 9 ? "DOGE" : "BTC",
                Amount = amounts[i % amounts.Length],
                ReceivedAt = i == 11 ? null : Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 14, 6, 0, 0, TimeSpan.Zero).AddHours(i * 3)),
            });
        }

        return request;
    }

    [Fact]
    public async Task RecognizeIncome_GrpcBinaryAndConnectJson_GiveTheSameAnswer()
    {
        using var http2 = server.Http2();
        using var http1 = server.Http1();
        var request = Request();

        var grpc = await RawGrpc.CallAsync(http2, Recognize, request);
        using var json = new HttpRequestMessage(HttpMethod.Post, Recognize) { Content = new StringContent(JsonFormatter.Default.Format(request), Encoding.UTF8) };
        json.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var connect = await http1.SendAsync(json);

        Assert.Equal(0, grpc.GrpcStatus);
        Assert.Equal(HttpStatusCode.OK, connect.StatusCode);
        var viaGrpc = grpc.Message(V1.RecognizeIncomeResponse.Parser);
        var viaJson = JsonParser.Default.Parse<V1.RecognizeIncomeResponse>(await connect.Content.ReadAsStringAsync());
        Assert.Equal(viaJson, viaGrpc);
        Assert.Equal(40, viaGrpc.Results.Count);
        Assert.Equal("DUPLICATE_ID", viaGrpc.Results[7].Error.Reason);
        Assert.Equal("MISSING_FIELD", viaGrpc.Results[11].Error.Reason);
        Assert.NotEmpty(viaGrpc.Results[0].Income.IncomeRub);
        Assert.NotNull(viaGrpc.Results[0].Income.Provenance);
    }

    [Fact]
    public async Task RecognizeIncome_GrpcBinaryAndConnectProto_AreByteIdentical()
    {
        using var http2 = server.Http2();
        var body = Request().ToByteArray();

        var grpc = await RawGrpc.CallAsync(http2, Recognize, Request());
        using var proto = new HttpRequestMessage(HttpMethod.Post, Recognize)
        {
            Content = new ByteArrayContent(body), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        proto.Content.Headers.ContentType = new MediaTypeHeaderValue("application/proto");
        using var connect = await http2.SendAsync(proto);

        Assert.True(connect.StatusCode == HttpStatusCode.OK, await connect.Content.ReadAsStringAsync());
        Assert.Equal(await connect.Content.ReadAsByteArrayAsync(), grpc.Messages.Single().Payload);
    }

    [Fact]
    public async Task RecognizeIncome_GzipRequestAndResponse_DecompressToTheSameAnswer()
    {
        using var http2 = server.Http2();
        var plain = await RawGrpc.CallAsync(http2, Recognize, Request());

        var compressed = RawGrpc.Frame(Gzip(Request().ToByteArray()), compressed: true);
        var gzipped = await RawGrpc.SendAsync(http2, RawGrpc.Request(Recognize, compressed,
            headers: [("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip")], splitAt: [3, compressed.Length / 2]));

        Assert.Equal(0, gzipped.GrpcStatus);
        var (isCompressed, payload) = gzipped.Messages.Single();
        Assert.True(isCompressed);
        Assert.Equal(plain.Messages.Single().Payload, Gunzip(payload));
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x05, 0x0A })]                  // receipt longer than the payload
    [InlineData(new byte[] { 0x00 })]                              // tag 0
    [InlineData(new byte[] { 0x12, 0x02, 0x0C, 0x00 })]            // end-group without start inside a receipt
    [InlineData(new byte[] { 0x1E })]                              // wire type 6
    public async Task RecognizeIncome_MalformedPayload_StandardInvalidMessageStatus(byte[] payload)
    {
        using var http2 = server.Http2();

        var response = await RawGrpc.SendAsync(http2, RawGrpc.Request(Recognize, RawGrpc.Frame(payload)));

        Assert.Equal((int)GrpcStatuses.InvalidRequestMessage.StatusCode, response.GrpcStatus);
        Assert.Equal(GrpcStatuses.InvalidRequestMessage.Detail, Uri.UnescapeDataString(response.GrpcMessage ?? ""));
    }

    [Fact]
    public async Task StreamRecognizeIncome_PackedMessagesInOneBody_AnswerLikeTheReferenceForm()
    {
        using var http2 = server.Http2();
        var messages = new List<V1.RecognizeIncomeStreamRequest> { new() { Policy = new V1.ValuationPolicy() } };
        var all = Request().Receipts;
        for (int c = 0; c < 4; c++)
        {
            messages.Add(new V1.RecognizeIncomeStreamRequest { Receipts = new V1.ReceiptChunk { Receipts = { all.Skip(c * 10).Take(10) } } });
        }

        var body = messages.SelectMany(m => RawGrpc.Frame(m)).ToArray();
        var response = await RawGrpc.SendAsync(http2, RawGrpc.Request(Stream, body));

        var expected = new BytesWriter<V1.RecognizeIncomeStreamResponse>(m => m.ToByteArray());
        await IncomeFixture.Service.StreamRecognizeIncome(new ListReader<V1.RecognizeIncomeStreamRequest>(messages), expected, new InProcessCallContext());
        Assert.Equal(0, response.GrpcStatus);
        Assert.Equal(5, response.Messages.Count);
        Assert.Equal(expected.Messages, response.Messages.Select(m => m.Payload));
        Assert.Equal(40, V1.RecognizeIncomeStreamResponse.Parser.ParseFrom(response.Messages[4].Payload).Summary.ReceiptCount);
    }

    [Fact]
    public async Task StreamRecognizeIncome_ReceiptsBeforePolicy_FailsLikeTheReferenceForm()
    {
        using var http2 = server.Http2();
        var body = RawGrpc.Frame(new V1.RecognizeIncomeStreamRequest { Receipts = new V1.ReceiptChunk { Receipts = { Request().Receipts[0] } } });

        var response = await RawGrpc.SendAsync(http2, RawGrpc.Request(Stream, body));

        Assert.Equal((int)StatusCode.InvalidArgument, response.GrpcStatus);
        Assert.Equal("the first message of the stream must carry the policy", Uri.UnescapeDataString(response.GrpcMessage ?? ""));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
