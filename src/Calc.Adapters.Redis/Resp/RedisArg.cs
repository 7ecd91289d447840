using System.Globalization;
using System.Text;

namespace Calc.Adapters.Redis.Resp;

/// <summary>One argument of a command: text (sent as UTF-8), raw bytes or an integer. Never boxed.</summary>
internal readonly struct RedisArg
{
    private readonly string? _text;
    private readonly byte[]? _bytes;
    private readonly long _number;

    private RedisArg(string? text, byte[]? bytes, long number)
    {
        _text = text;
        _bytes = bytes;
        _number = number;
    }

    public static implicit operator RedisArg(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null, 0);

    public static implicit operator RedisArg(byte[] bytes) => new(null, bytes ?? throw new ArgumentNullException(nameof(bytes)), 0);

    public static implicit operator RedisArg(long number) => new(null, null, number);

    /// <summary>The argument's text, when it is text (used to name a command in errors).</summary>
    public string? Text => _text;

    /// <summary>Encoded length in bytes.</summary>
    public int ByteCount => _text is not null ? Encoding.UTF8.GetByteCount(_text)
        : _bytes is not null ? _bytes.Length
        : DigitCount(_number);

    /// <summary>Writes the payload (not the <c>$len</c> header) and returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (_text is not null)
        {
            return Encoding.UTF8.GetBytes(_text, destination);
        }

        if (_bytes is not null)
        {
            _bytes.CopyTo(destination);
            return _bytes.Length;
        }

        _number.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture);
        return written;
    }

    public override string ToString() => _text ?? (_bytes is not null ? Encoding.UTF8.GetString(_bytes)
        : _number.ToString(CultureInfo.InvariantCulture));

    private static int DigitCount(long n)
    {
        if (n == long.MinValue)
        {
            return 20;
        }

        int sign = n < 0 ? 1 : 0;
        ulong v = (ulong)Math.Abs(n);
        int digits = 1;
        while (v >= 10)
        {
            v /= 10;
            digits++;
        }

        return sign + digits;
    }
}
