using System.Globalization;

namespace Calc.Adapters.Redis.Resp;

/// <summary>
/// A growable byte buffer that commands are encoded into as RESP arrays of bulk strings
/// (<c>*N\r\n$len\r\narg\r\n…</c>). Not thread-safe: the connection guards it with its lock.
/// </summary>
internal sealed class RespWriter
{
    private const int InitialCapacity = 4096;
    private byte[] _buffer;
    private int _length;

    public RespWriter(int capacity = InitialCapacity)
    {
        _buffer = new byte[capacity];
    }

    public int Length => _length;

    public int Capacity => _buffer.Length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Reset() => _length = 0;

    /// <summary>Drops an oversized buffer after a burst so that memory returns to normal.</summary>
    public void ResetAndTrim(int maxRetained)
    {
        _length = 0;
        if (_buffer.Length > maxRetained)
        {
            _buffer = new byte[InitialCapacity];
        }
    }

    public void WriteCommand(ReadOnlySpan<RedisArg> args)
    {
        if (args.IsEmpty)
        {
            throw new ArgumentException("a command needs at least its name", nameof(args));
        }

        WriteHeader((byte)'*', args.Length);
        foreach (var arg in args)
        {
            int count = arg.ByteCount;
            WriteHeader((byte)'$', count);
            EnsureSpace(count + 2);
            int written = arg.WriteTo(_buffer.AsSpan(_length));
            _length += written;
            _buffer[_length++] = (byte)'\r';
            _buffer[_length++] = (byte)'\n';
        }
    }

    /// <summary>Appends bytes that are already RESP (a prepared batch).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        EnsureSpace(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void WriteHeader(byte type, int n)
    {
        EnsureSpace(14);
        _buffer[_length++] = type;
        n.TryFormat(_buffer.AsSpan(_length), out int written, default, CultureInfo.InvariantCulture);
        _length += written;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    private void EnsureSpace(int count)
    {
        if (_buffer.Length - _length >= count)
        {
            return;
        }

        long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + count);
        Array.Resize(ref _buffer, (int)Math.Min(wanted, Array.MaxLength));
    }
}
