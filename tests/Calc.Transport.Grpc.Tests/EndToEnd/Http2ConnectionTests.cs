using Calc.Transport.Grpc.Tests.Infrastructure;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

/// <summary>
/// What GrpcServerOptions put on the HTTP/2 connection itself (ApplyGrpcLimits → Kestrel), read off a raw socket:
/// SETTINGS, the connection WINDOW_UPDATE, keepalive PINGs. Each test runs a server of its own with non-default values.
/// </summary>
public sealed class Http2ConnectionTests
{
    private const ushort SettingsInitialWindowSize = 0x4;
    private const ushort SettingsMaxConcurrentStreams = 0x3;

    // RFC 9113 §6.9.2: every window starts at 65,535 until SETTINGS / WINDOW_UPDATE say otherwise
    private const int DefaultWindow = 65_535;

    // generous: a frame the server sends at once (or after a 1 s timer) can still take seconds on a loaded CI machine
    private static readonly TimeSpan Signal = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Settings_ConfiguredLimits_SentInTheServerSettingsFrame()
    {
        // Arrange: values no default has (Kestrel 100 streams / 768 KiB, Calc 256 / 1 MiB / 4 MiB)
        await using var server = await OwnServer.StartAsync(o =>
        {
            o.MaxConcurrentStreams = 17;
            o.InitialStreamWindowSize = 3 * 1024 * 1024;
            o.InitialConnectionWindowSize = 5 * 1024 * 1024;
        });
        using var timeout = new CancellationTokenSource(Signal);

        // Act: preface + empty SETTINGS; the server's first frame is its SETTINGS (RFC 9113 §3.4), then the
        // connection WINDOW_UPDATE comes
        await using var connection = await RawHttp2.ConnectAsync(server.Port, timeout.Token);
        var settings = await connection.ReadFrameAsync(timeout.Token);
        await connection.WriteFrameAsync(Http2Frame.Settings, Http2Frame.Ack, 0, [], timeout.Token);
        var windowUpdate = await connection.ReadUntilAsync(f => f.Type == Http2Frame.WindowUpdate && f.StreamId == 0, timeout.Token);

        // Assert
        Assert.Equal(Http2Frame.Settings, settings.Type);
        Assert.False(settings.IsAck);
        Assert.Equal(0, settings.StreamId);
        var values = settings.SettingsValues();
        Assert.Equal(17u, Assert.Contains(SettingsMaxConcurrentStreams, values));
        Assert.Equal(3u * 1024 * 1024, Assert.Contains(SettingsInitialWindowSize, values));

        // the connection window is not a setting: it is raised from 65,535 by a WINDOW_UPDATE on stream 0
        Assert.Equal((5 * 1024 * 1024) - DefaultWindow, windowUpdate.WindowIncrement());
    }

    [Fact]
    public async Task KeepAlive_IdleConnection_ServerPingsAndKeepsPingingOnceAnswered()
    {
        // Arrange: PING after 1 s without frames (Calc's default is 60 s, so a PING within 30 s needs the option)
        await using var server = await OwnServer.StartAsync(o =>
        {
            o.KeepAlivePingDelay = TimeSpan.FromSeconds(1);
            o.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        });
        using var timeout = new CancellationTokenSource(Signal);
        await using var connection = await RawHttp2.ConnectAsync(server.Port, timeout.Token);

        // Act: stay idle (only SETTINGS ACKs go out) until the server pings, answer it, stay idle again
        var ping = await connection.ReadUntilAsync(f => f.Type == Http2Frame.Ping && !f.IsAck, timeout.Token);
        await connection.WriteFrameAsync(Http2Frame.Ping, Http2Frame.Ack, 0, ping.Payload, timeout.Token);
        var next = await connection.ReadUntilAsync(f => f.Type == Http2Frame.Ping && !f.IsAck, timeout.Token);

        // Assert: connection-level PINGs with the 8-byte payload; the second one shows the answered connection
        // stays up (an unanswered PING is not followed by another: the server waits for its timeout and closes,
        // see the next test)
        Assert.Equal(0, ping.StreamId);
        Assert.Equal(8, ping.Payload.Length);
        Assert.Equal(0, next.StreamId);
        Assert.Equal(8, next.Payload.Length);
    }

    [Fact]
    public async Task KeepAlive_PingNotAnswered_ServerClosesTheConnection()
    {
        // Arrange: PING after 1 s idle, close 1 s after an unanswered PING
        await using var server = await OwnServer.StartAsync(o =>
        {
            o.KeepAlivePingDelay = TimeSpan.FromSeconds(1);
            o.KeepAlivePingTimeout = TimeSpan.FromSeconds(1);
        });
        using var timeout = new CancellationTokenSource(Signal);
        await using var connection = await RawHttp2.ConnectAsync(server.Port, timeout.Token);

        // Act: read (never answering a PING) until the server ends the connection: GOAWAY or the socket closing
        var pings = 0;
        var closed = false;
        while (!closed)
        {
            Http2Frame frame;
            try
            {
                frame = await connection.ReadFrameAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is EndOfStreamException or IOException)
            {
                closed = true;
                continue;
            }

            closed = frame.Type == Http2Frame.GoAway;
            pings += frame.Type == Http2Frame.Ping && !frame.IsAck ? 1 : 0;
            if (frame.Type == Http2Frame.Settings && !frame.IsAck)
            {
                await connection.WriteFrameAsync(Http2Frame.Settings, Http2Frame.Ack, 0, [], timeout.Token);
            }
        }

        // Assert: the server gave up after its own PING went unanswered (with nothing else going on, nothing else
        // closes an HTTP/2 connection within the 30 s this waits: Kestrel's idle timeout is 130 s), and it did not
        // ping again while waiting for the ACK
        Assert.Equal(1, pings);
    }
}
