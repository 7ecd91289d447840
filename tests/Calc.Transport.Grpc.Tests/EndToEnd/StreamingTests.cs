using Calc.Interop.Testing;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class StreamingTests(ServerFixture server)
{
    [Fact]
    public async Task ServerStreaming_InteropSizes_FourMessagesInOrderThenOk()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var request = new StreamingOutputCallRequest();
        foreach (var size in new[] { 31_415, 9, 2_653, 58_979 })
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
        }

        // Act
        var response = await RawGrpc.CallAsync(client, "/grpc.testing.TestService/StreamingOutputCall", request);

        // Assert
        Assert.Equal(0, response.GrpcStatus);
        Assert.Equal([31_415, 9, 2_653, 58_979],
            response.Messages.Select(m => StreamingOutputCallResponse.Parser.ParseFrom(m.Payload).Payload.Body.Length));
    }

    [Fact]
    public async Task ServerStreaming_ErrorAfterMessages_StatusInTrailersNotTrailersOnly()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, "/calc.transport.test.Probe/Stream", new ProbeRequest { Kind = "fail-after", Size = 3 });

        Assert.Equal(3, response.Messages.Count);
        Assert.False(response.TrailersOnly);
        Assert.Equal(10, response.GrpcStatus);
        Assert.Equal("stopped after 3", response.GrpcMessage);
    }

    [Fact]
    public async Task ServerStreaming_ClientNotReading_ServerWritesAreHeldBackByFlowControl()
    {
        // Arrange: 400 messages of 64 KiB = 25 MiB, far more than the HTTP/2 windows (1 MiB stream)
        using var client = server.CreateHttp2Client();
        await using var call = await DuplexCall.StartAsync(client, "/calc.transport.test.Probe/Stream");
        await call.WriteAsync(new ProbeRequest { Kind = "big", Size = 400, Millis = 64 * 1024, Id = "backpressure" });
        call.CompleteRequest();

        // Act: read nothing until the server's writes stop advancing (held back by the windows)
        var writtenWhileBlocked = await Settle.WhenStableAsync(() => server.State.Written("backpressure"));
        var first = await call.ReadAsync(ProbeReply.Parser);

        // Assert: the service was paused well before producing everything (no unbounded buffering)
        Assert.NotNull(first);
        Assert.InRange(writtenWhileBlocked, 1, 60);
    }

    [Fact]
    public async Task ClientStreaming_ManyMessagesSplitAtEveryOffset_AllReceivedInOrder()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        var body = new[] { "a", "bb", "", "ccc" }.SelectMany(k => RawGrpc.Frame(new ProbeRequest { Kind = k })).ToArray();

        for (var cut = 1; cut < body.Length; cut++)
        {
            // Act
            var response = await RawGrpc.SendAsync(client, RawGrpc.Request("/calc.transport.test.Probe/Collect", body, splitAt: [cut]));

            // Assert
            Assert.True(response.GrpcStatus == 0, $"cut {cut}: {response.GrpcMessage}");
            Assert.Equal("4:a,bb,,ccc", response.Message(ProbeReply.Parser).Text);
        }
    }

    [Fact]
    public async Task ClientStreaming_ServiceStopsReading_ClientHeldBackByFlowControl()
    {
        // Arrange: the service reads one message, then stalls until the test opens its gate
        using var client = server.CreateHttp2Client();
        await using var call = await DuplexCall.StartAsync(client, "/calc.transport.test.Probe/Collect");
        await call.WriteAsync(new ProbeRequest { Kind = "stall", Id = "client-backpressure", Millis = 60_000 });
        var filler = new ProbeRequest { Kind = new string('f', 64 * 1024) };

        // Act: offer 25 MiB while the service does not read
        for (var i = 0; i < 400; i++)
        {
            await call.WriteAsync(filler);
        }

        var sentWhileStalled = await Settle.WhenStableAsync(() => call.Sent);
        server.State.OpenGate("client-backpressure");
        call.CompleteRequest();
        var reply = await call.ReadAsync(ProbeReply.Parser);

        // Assert: the server's windows (1 MiB stream) bounded what it accepted; then everything arrived in order
        Assert.InRange(sentWhileStalled, 1, 40);
        Assert.StartsWith("401:stall,ffff", reply!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientStreaming_InteropSizes_AggregatedSize()
    {
        using var client = server.CreateHttp2Client();
        var body = new[] { 27_182, 8, 1_828, 45_904 }
            .SelectMany(n => RawGrpc.Frame(new StreamingInputCallRequest { Payload = new Payload { Body = Google.Protobuf.ByteString.CopyFrom(new byte[n]) } }))
            .ToArray();

        var response = await RawGrpc.SendAsync(client, RawGrpc.Request("/grpc.testing.TestService/StreamingInputCall", body));

        Assert.Equal(74_922, response.Message(StreamingInputCallResponse.Parser).AggregatedPayloadSize);
    }

    [Fact]
    public async Task Bidi_PingPong_EachRequestAnsweredBeforeTheNextIsSent()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        await using var call = await DuplexCall.StartAsync(client, "/calc.transport.test.Probe/Echo");

        foreach (var (kind, size) in new[] { ("one", 27_182), ("two", 8), ("three", 1_828), ("four", 45_904) })
        {
            // Act
            await call.WriteAsync(new ProbeRequest { Kind = kind, Size = size });
            var reply = await call.ReadAsync(ProbeReply.Parser);

            // Assert
            Assert.Equal(kind, reply!.Text);
            Assert.Equal(size, reply.Body.Length);
        }

        call.CompleteRequest();
        Assert.Null(await call.ReadAsync(ProbeReply.Parser));
        Assert.Equal("0", string.Join(",", call.Trailers.GetValues("grpc-status")));
    }

    [Fact]
    public async Task Bidi_EmptyStream_OkWithoutMessages()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.SendAsync(client, RawGrpc.Request("/grpc.testing.TestService/FullDuplexCall", []));

        Assert.Equal(0, response.GrpcStatus);
        Assert.Empty(response.Messages);
    }
}
