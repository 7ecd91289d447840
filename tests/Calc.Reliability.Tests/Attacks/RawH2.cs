using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>
/// HTTP/2 frames built by hand (RFC 9113), for clients that misbehave on purpose: no library sends a thousand
/// HEADERS and resets them, floods PINGs without reading the answers, or never ends a message it declared.
/// Header blocks use HPACK "literal without indexing, new name" (RFC 7541 §6.2.2) and no Huffman coding, so
/// every header costs its bytes and the server's dynamic table is never touched.
/// </summary>
public static class H2
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte Continuation = 0x9;

    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;

    public const int FrameHeaderLength = 9;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE (0x4).</summary>
    public const ushort SettingsInitialWindowSize = 0x4;

    /// <summary>Error code CANCEL (0x8), what a client sends when it gives up on a stream.</summary>
    public const int Cancel = 0x8;

    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Appends one frame: 24-bit length, type, flags, 31-bit stream id, payload.</summary>
    public static void Frame(List<byte> to, byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(to);
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId & int.MaxValue);
        to.AddRange(header);
        to.AddRange(payload);
    }

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new List<byte>(FrameHeaderLength + payload.Length);
        Frame(frame, type, flags, streamId, payload);
        return [.. frame];
    }

    /// <summary>A SETTINGS frame with the given (identifier, value) pairs.</summary>
    public static byte[] SettingsFrame(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[6 * settings.Length];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan((6 * i) + 2), settings[i].Value);
        }

        return Frame(Settings, 0, 0, payload);
    }

    public static byte[] RstStreamFrame(int streamId, int errorCode)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, errorCode);
        return Frame(RstStream, 0, streamId, payload);
    }

    public static byte[] WindowUpdateFrame(int streamId, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return Frame(WindowUpdate, 0, streamId, payload);
    }

    /// <summary>An HPACK header block of literals without indexing, new names, no Huffman coding.</summary>
    public static byte[] HeaderBlock(params (string Name, string Value)[] headers)
    {
        var block = new List<byte>();
        foreach (var (name, value) in headers)
        {
            block.Add(0x00);
            String(block, name);
            String(block, value);
        }

        return [.. block];
    }

    /// <summary>The header block of a gRPC call (POST, h2c) to <paramref name="path"/>.</summary>
    public static byte[] GrpcRequestHeaders(string authority, string path) => HeaderBlock(
        (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", authority),
        ("content-type", "application/grpc"), ("te", "trailers"));

    /// <summary>The 5-byte gRPC message prefix: uncompressed, <paramref name="length"/> bytes follow.</summary>
    public static byte[] GrpcMessagePrefix(int length)
    {
        var prefix = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(1), length);
        return prefix;
    }

    /// <summary>HPACK string literal: H bit 0, length as a 7-bit-prefix integer (RFC 7541 §5.1), the bytes.</summary>
    private static void String(List<byte> to, string s)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(s);
        int length = bytes.Length;
        if (length < 127)
        {
            to.Add((byte)length);
        }
        else
        {
            to.Add(127);
            length -= 127;
            while (length >= 128)
            {
                to.Add((byte)((length % 128) + 128));
                length /= 128;
            }

            to.Add((byte)length);
        }

        to.AddRange(bytes);
    }
}

/// <summary>
/// One hand-driven HTTP/2 connection from a chosen loopback source address (the server sees it as another
/// caller than the tests' legitimate client on 127.0.0.1). It sends whatever bytes it is given; with
/// <c>read: true</c> a background loop reads the server's frames, counts them, follows the flow-control windows
/// the server grants (so a sender can wait for credit) and notes GOAWAY; with <c>read: false</c> nothing is read
/// at all, so every answer the server writes stays in its send path.
/// </summary>
public sealed class RawH2Connection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Task _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Dictionary<int, long> _streamWindows = [];
    private readonly HashSet<int> _resetStreams = [];
    private long _connectionWindow = 65_535;
    private long _initialStreamWindow = 65_535;
    private TaskCompletionSource _credit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextStreamId = 1;

    private RawH2Connection(Socket socket, bool read)
    {
        _socket = socket;
        _reader = read ? Task.Run(ReadLoopAsync) : Task.CompletedTask;
    }

    /// <summary>Frames received, by frame type (index = type byte, up to 9).</summary>
    public long[] FramesReceived { get; } = new long[10];

    /// <summary>RST_STREAM frames received with ENHANCE_YOUR_CALM or REFUSED_STREAM.</summary>
    public long StreamsRefused { get; private set; }

    /// <summary>The error code of the server's GOAWAY, or null before one came.</summary>
    public int? GoAwayError { get; private set; }

    /// <summary>True once the server closed the connection (read returned 0 or failed) or a send failed.</summary>
    public bool Closed { get; private set; }

    public string Authority { get; private set; } = "";

    /// <summary>
    /// Connects from <paramref name="source"/> to <paramref name="server"/> and sends the preface with an
    /// empty SETTINGS frame (or <paramref name="settings"/>).
    /// </summary>
    public static async Task<RawH2Connection> OpenAsync(IPEndPoint server, IPAddress source, bool read = true, byte[]? settings = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, cancellationToken);
            var connection = new RawH2Connection(socket, read) { Authority = $"{server.Address}:{server.Port}" };
            byte[] opening = [.. H2.Preface, .. settings ?? H2.SettingsFrame()];
            await connection.SendAsync(opening, cancellationToken);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens a TCP connection and sends nothing at all (an idle connection).</summary>
    public static async Task<Socket> OpenIdleAsync(IPEndPoint server, IPAddress source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True once the server reset <paramref name="streamId"/> (RST_STREAM): a client sends nothing more on it.</summary>
    public bool IsReset(int streamId)
    {
        lock (_gate)
        {
            return _resetStreams.Contains(streamId);
        }
    }

    /// <summary>The next client stream id (odd, increasing).</summary>
    public int NextStreamId()
    {
        int id = _nextStreamId;
        _nextStreamId += 2;
        return id;
    }

    /// <summary>Sends all of <paramref name="bytes"/>; false when the connection is gone (the server closed it).</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        // one frame sequence at a time: the read loop's SETTINGS acknowledgements must not split a caller's frames
        try
        {
            await _sending.WaitAsync(cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        try
        {
            while (!bytes.IsEmpty)
            {
                int sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
                bytes = bytes[sent..];
            }

            return true;
        }
        catch (SocketException)
        {
            Closed = true;
            return false;
        }
        catch (ObjectDisposedException)
        {
            Closed = true;
            return false;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Takes up to <paramref name="wanted"/> bytes of send credit on <paramref name="streamId"/> (the smaller of
    /// the stream's and the connection's windows), waiting at most <paramref name="wait"/> for the server to grant
    /// some; 0 when none came.
    /// </summary>
    public async Task<int> TakeCreditAsync(int streamId, int wanted, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            Task granted;
            lock (_gate)
            {
                long stream = _streamWindows.TryGetValue(streamId, out long w) ? w : _initialStreamWindow;
                long available = Math.Min(stream, _connectionWindow);
                if (available > 0)
                {
                    int take = (int)Math.Min(available, wanted);
                    _streamWindows[streamId] = stream - take;
                    _connectionWindow -= take;
                    return take;
                }

                granted = _credit.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || Closed)
            {
                return 0;
            }

            await Task.WhenAny(granted, Task.Delay(left));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // already reset by the server
        }

        _socket.Dispose();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _sending.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[256 * 1024];
        int filled = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                int offset = 0;
                while (filled - offset >= H2.FrameHeaderLength)
                {
                    int length = (buffer[offset] << 16) | (buffer[offset + 1] << 8) | buffer[offset + 2];
                    if (filled - offset < H2.FrameHeaderLength + length)
                    {
                        if (H2.FrameHeaderLength + length > buffer.Length)
                        {
                            Array.Resize(ref buffer, H2.FrameHeaderLength + length);
                        }

                        break;
                    }

                    OnFrame(buffer[offset + 3], buffer[offset + 4],
                        BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(offset + 5)) & int.MaxValue,
                        buffer.AsSpan(offset + H2.FrameHeaderLength, length));
                    offset += H2.FrameHeaderLength + length;
                }

                Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                filled -= offset;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the server reset the connection, or the test is done with it
        }

        Closed = true;
        Grant();
    }

    private void OnFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (type < FramesReceived.Length)
        {
            FramesReceived[type]++;
        }

        switch (type)
        {
            case H2.GoAway when payload.Length >= 8:
                GoAwayError = BinaryPrimitives.ReadInt32BigEndian(payload[4..]);
                break;
            case H2.RstStream when payload.Length == 4:
                lock (_gate)
                {
                    _resetStreams.Add(streamId);
                }

                int code = BinaryPrimitives.ReadInt32BigEndian(payload);
                if (code is 0x7 or 0xb)
                {
                    StreamsRefused++;
                }

                break;
            case H2.WindowUpdate when payload.Length == 4:
                int increment = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
                lock (_gate)
                {
                    if (streamId == 0)
                    {
                        _connectionWindow += increment;
                    }
                    else
                    {
                        _streamWindows[streamId] = (_streamWindows.TryGetValue(streamId, out long w) ? w : _initialStreamWindow) + increment;
                    }
                }

                Grant();
                break;
            case H2.Settings when (flags & H2.Ack) == 0:
                for (int i = 0; i + 6 <= payload.Length; i += 6)
                {
                    if (BinaryPrimitives.ReadUInt16BigEndian(payload[i..]) == H2.SettingsInitialWindowSize)
                    {
                        long value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                        lock (_gate)
                        {
                            foreach (int id in _streamWindows.Keys.ToArray())
                            {
                                _streamWindows[id] += value - _initialStreamWindow;
                            }

                            _initialStreamWindow = value;
                        }
                    }
                }

                // acknowledge, as a client must (the flood tests use connections that do not read at all)
                _ = SendAsync(H2.Frame(H2.Settings, H2.Ack, 0, []));
                Grant();
                break;
        }
    }

    private void Grant()
    {
        TaskCompletionSource granted;
        lock (_gate)
        {
            granted = _credit;
            _credit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        granted.TrySetResult();
    }
}
