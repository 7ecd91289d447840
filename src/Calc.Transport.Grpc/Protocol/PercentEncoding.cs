using System.Text;

namespace Calc.Transport.Grpc.Protocol;

/// <summary>
/// The <c>grpc-message</c> encoding (PROTOCOL-HTTP2.md "Status-Message"): UTF-8, then every byte outside
/// printable ASCII 0x20–0x7E, and '%' itself, written as %XX. Decoding is lenient: a malformed escape is
/// kept literally, as the spec asks.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                sb.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
            else
            {
                sb.Append((char)b);
            }
        }

        return sb.ToString();
    }

    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var n = 0;
        var i = 0;
        while (i < value.Length)
        {
            if (value[i] == '%' && i + 2 < value.Length && TryHex(value[i + 1], out var hi) && TryHex(value[i + 2], out var lo))
            {
                bytes[n++] = (byte)((hi << 4) | lo);
                i += 3;
                continue;
            }

            // Anything else (including non-ASCII a lenient peer sent raw) is kept as its UTF-8 bytes.
            var len = char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 1;
            n += Encoding.UTF8.GetBytes(value.AsSpan(i, len), bytes.AsSpan(n));
            i += len;
        }

        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
