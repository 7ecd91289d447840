using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>One HTTP/2 frame as read off the socket (RFC 9113 §4.1).</summary>
public sealed record Http2Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;

    public const byte Ack = 0x1;

    public bool IsAck => (Flags & Ack) != 0;

    /// <summary>The parameters of a SETTINGS frame: 6-byte entries, identifier → value (the last one wins).</summary>
    public IReadOnlyDictionary<ushort, uint> SettingsValues()
    {
        if (Type != Settings || Payload.Length % 6 != 0)
        {
            throw new InvalidOperationException($"not a well-formed SETTINGS frame: type {Type}, {Payload.Length} bytes");
        }

        var values = new Dictionary<ushort, uint>();
        for (var i = 0; i < Payload.Length; i += 6)
        {
            values[BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(i))] = BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(i + 2));
        }

        return values;
    }

    /// <summary>The increment of a WINDOW_UPDATE frame (reserved bit cleared).</summary>
    public int WindowIncrement() => Type == WindowUpdate && Payload.Length == 4
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF)
        : throw new InvalidOperationException($"not a WINDOW_UPDATE frame: type {Type}, {Payload.Length} bytes");
}

/// <summary>
/// A raw HTTP/2 connection over TCP with prior knowledge (h2c), for what HttpClient hides: the server's SETTINGS,
/// WINDOW_UPDATE and PING frames. Only frame headers and payloads are handled; no HPACK, no streams.
/// </summary>
public sealed class RawHttp2 : IAsyncDisposable
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawHttp2(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects and sends the client preface followed by an empty SETTINGS frame.</summary>
    public static async Task<RawHttp2> ConnectAsync(int port, CancellationToken ct)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, ct);
            var connection = new RawHttp2(tcp);
            await connection._stream.WriteAsync(Preface, ct);
            await connection.WriteFrameAsync(Http2Frame.Settings, 0, 0, [], ct);
            return connection;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public async Task WriteFrameAsync(byte type, byte flags, int streamId, byte[] payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId & 0x7FFF_FFFF);
        payload.CopyTo(frame, 9);
        await _stream.WriteAsync(frame, ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>The next frame; EndOfStreamException when the server closed the connection.</summary>
    public async Task<Http2Frame> ReadFrameAsync(CancellationToken ct)
    {
        var header = new byte[9];
        await _stream.ReadExactlyAsync(header, ct);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, ct);
        return new Http2Frame(header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFF_FFFF, payload);
    }

    /// <summary>
    /// Reads frames until one matches <paramref name="match"/>, acknowledging the server's SETTINGS on the way
    /// (so the server has no reason to give up on the connection); a GOAWAY fails the wait.
    /// </summary>
    public async Task<Http2Frame> ReadUntilAsync(Func<Http2Frame, bool> match, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(match);
        while (true)
        {
            var frame = await ReadFrameAsync(ct);
            if (match(frame))
            {
                return frame;
            }

            if (frame.Type == Http2Frame.GoAway)
            {
                throw new InvalidOperationException("the server sent GOAWAY: " + Convert.ToHexString(frame.Payload));
            }

            if (frame.Type == Http2Frame.Settings && !frame.IsAck)
            {
                await WriteFrameAsync(Http2Frame.Settings, Http2Frame.Ack, 0, [], ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
