using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Calc.Adapters.Redis.Resp;

/// <summary>
/// Parses one RESP2 or RESP3 reply from the start of a buffer (redis.io "RESP protocol spec"). The parser
/// is restartable: when the buffer ends inside a reply it reports "incomplete" and consumes nothing, and the
/// caller retries once more bytes have arrived. Anything that is not RESP raises
/// <see cref="RespProtocolException"/>; it never guesses.
/// </summary>
/// <remarks>
/// Attributes (<c>|</c>) are read and discarded, as the spec allows a client to do. Streamed strings and
/// aggregates (<c>$?</c>, <c>*?</c>) are rejected: Redis never sends them.
/// </remarks>
internal static class RespParser
{
    /// <summary>Redis's own <c>proto-max-bulk-len</c> default.</summary>
    public const int MaxBulkLength = 512 * 1024 * 1024;

    /// <summary>Largest aggregate accepted; far above any reply the cache asks for.</summary>
    public const int MaxAggregateLength = 1 << 24;

    /// <summary>Longest header or simple line: a longer run of bytes without CRLF is not RESP.</summary>
    public const int MaxLineLength = 64 * 1024;

    /// <summary>Nesting limit, so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 32;

    private static readonly byte[] Ok = "OK"u8.ToArray();
    private static readonly byte[] Pong = "PONG"u8.ToArray();
    private static readonly byte[] Queued = "QUEUED"u8.ToArray();
    private static readonly byte[] Empty = [];

    /// <summary>
    /// Parses the reply at the start of <paramref name="buffer"/>. Returns false when the buffer ends
    /// before the reply does (nothing consumed).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out RespValue value, out int consumed)
    {
        int pos = 0;

        // every value has a line of its own of at least 3 bytes ("_\r\n"), nested ones included: the aggregates
        // of one reply can together claim at most a third of the buffer as elements. Each aggregate reserves
        // its elements from this budget before allocating them, so claims that the received bytes cannot back
        // (e.g. 30 nested "*100000" headers over the same 300 kB) wait for data instead of allocating 30 arrays.
        long elementBudget = buffer.Length / 3;
        if (TryParseValue(buffer, ref pos, 0, ref elementBudget, out value))
        {
            consumed = pos;
            return true;
        }

        consumed = 0;
        value = default;
        return false;
    }

    private static bool TryParseValue(ReadOnlySpan<byte> buf, ref int pos, int depth, ref long budget, out RespValue value)
    {
        value = default;
        if (pos >= buf.Length)
        {
            return false;
        }

        if (depth > MaxDepth)
        {
            throw Error("nesting deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture), pos);
        }

        byte type = buf[pos];
        int start = pos;
        if (!TryReadLine(buf, pos + 1, out var line, out int next))
        {
            return false;
        }

        switch (type)
        {
            case (byte)'+':
                pos = next;
                value = RespValue.SimpleString(Intern(line));
                return true;
            case (byte)'-':
                pos = next;
                value = RespValue.Error(Encoding.UTF8.GetString(line));
                return true;
            case (byte)':':
                pos = next;
                value = RespValue.Integer(ParseInteger(line, start));
                return true;
            case (byte)'_':
                if (!line.IsEmpty)
                {
                    throw Error("null with a payload", start);
                }

                pos = next;
                value = RespValue.Null;
                return true;
            case (byte)'#':
                value = line.Length == 1 && line[0] == (byte)'t' ? RespValue.Boolean(true)
                    : line.Length == 1 && line[0] == (byte)'f' ? RespValue.Boolean(false)
                    : throw Error("boolean is not t or f", start);
                pos = next;
                return true;
            case (byte)',':
                pos = next;
                value = RespValue.Double(ParseDouble(line, start));
                return true;
            case (byte)'(':
                pos = next;
                value = RespValue.BigNumber(ParseBigNumber(line, start));
                return true;
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
                return TryParseBlob(buf, ref pos, type, line, start, next, out value);
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
                return TryParseAggregate(buf, ref pos, type, line, start, next, depth, ref budget, out value);
            case (byte)'|':
                // attribute: metadata about the reply that follows; read it, drop it, return that reply
                int p = pos;
                if (!TryParseAggregate(buf, ref p, (byte)'%', line, start, next, depth, ref budget, out _)
                    || !TryParseValue(buf, ref p, depth + 1, ref budget, out value))
                {
                    return false;
                }

                pos = p;
                return true;
            default:
                throw Error("unknown type byte 0x" + type.ToString("x2", CultureInfo.InvariantCulture), start);
        }
    }

    private static bool TryParseBlob(
        ReadOnlySpan<byte> buf, ref int pos, byte type, ReadOnlySpan<byte> line, int start, int next, out RespValue value)
    {
        value = default;
        long length = ParseLength(line, start, type == (byte)'$', MaxBulkLength);
        if (length < 0)
        {
            pos = next;
            value = RespValue.Null;
            return true;
        }

        int len = (int)length;
        if ((long)buf.Length - next < len + 2L)
        {
            return false;
        }

        var payload = buf.Slice(next, len);
        if (buf[next + len] != (byte)'\r' || buf[next + len + 1] != (byte)'\n')
        {
            throw Error("blob not terminated by CRLF", next + len);
        }

        pos = next + len + 2;
        switch (type)
        {
            case (byte)'!':
                value = RespValue.Error(Encoding.UTF8.GetString(payload));
                break;
            case (byte)'=':
                if (len < 4 || payload[3] != (byte)':')
                {
                    throw Error("verbatim string without a format prefix", next);
                }

                value = RespValue.Verbatim(payload[4..].ToArray());
                break;
            default:
                value = RespValue.Bulk(len == 0 ? Empty : payload.ToArray());
                break;
        }

        return true;
    }

    private static bool TryParseAggregate(
        ReadOnlySpan<byte> buf, ref int pos, byte type, ReadOnlySpan<byte> line, int start, int next, int depth,
        ref long budget, out RespValue value)
    {
        value = default;
        long count = ParseLength(line, start, type == (byte)'*', MaxAggregateLength);
        if (count < 0)
        {
            pos = next;
            value = RespValue.Null;
            return true;
        }

        long elements = type == (byte)'%' ? count * 2 : count;

        // every element takes at least 3 bytes ("_\r\n"): do not allocate for data that has not arrived, neither
        // at this level nor summed over the levels (nested aggregates would otherwise all count the same bytes)
        if ((long)buf.Length - next < elements * 3 || elements > budget)
        {
            return false;
        }

        budget -= elements;

        var items = elements == 0 ? [] : new RespValue[elements];
        int p = next;
        for (int i = 0; i < items.Length; i++)
        {
            if (!TryParseValue(buf, ref p, depth + 1, ref budget, out items[i]))
            {
                return false;
            }
        }

        pos = p;
        var kind = type switch
        {
            (byte)'~' => RespKind.Set,
            (byte)'>' => RespKind.Push,
            (byte)'%' => RespKind.Map,
            _ => RespKind.Array,
        };
        value = RespValue.Aggregate(kind, items);
        return true;
    }

    /// <summary>Finds the CRLF that ends the line starting at <paramref name="from"/>.</summary>
    private static bool TryReadLine(ReadOnlySpan<byte> buf, int from, out ReadOnlySpan<byte> line, out int next)
    {
        line = default;
        next = 0;
        var rest = buf[from..];
        int cr = rest.IndexOfAny((byte)'\r', (byte)'\n');
        if (cr < 0)
        {
            if (rest.Length > MaxLineLength)
            {
                throw Error("line longer than " + MaxLineLength.ToString(CultureInfo.InvariantCulture) + " bytes", from);
            }

            return false;
        }

        // the same limit whether the CRLF arrived in this read or not: the outcome must not depend on how
        // the bytes were split into reads
        if (cr > MaxLineLength)
        {
            throw Error("line longer than " + MaxLineLength.ToString(CultureInfo.InvariantCulture) + " bytes", from);
        }

        if (rest[cr] == (byte)'\n')
        {
            throw Error("bare LF in a line", from + cr);
        }

        if (cr + 1 >= rest.Length)
        {
            return false;
        }

        if (rest[cr + 1] != (byte)'\n')
        {
            throw Error("CR not followed by LF", from + cr);
        }

        line = rest[..cr];
        next = from + cr + 2;
        return true;
    }

    private static long ParseInteger(ReadOnlySpan<byte> line, int at)
    {
        var digits = line;
        if (!digits.IsEmpty && digits[0] == (byte)'+')
        {
            digits = digits[1..];
            if (!digits.IsEmpty && digits[0] == (byte)'-')
            {
                throw Error("malformed integer", at);
            }
        }

        if (digits.IsEmpty || digits.Length > 20
            || !Utf8Parser.TryParse(digits, out long result, out int used) || used != digits.Length
            || !IsPlainInteger(digits))
        {
            throw Error("malformed integer", at);
        }

        return result;
    }

    private static bool IsPlainInteger(ReadOnlySpan<byte> digits)
    {
        int i = digits[0] == (byte)'-' ? 1 : 0;
        if (i == digits.Length)
        {
            return false;
        }

        for (; i < digits.Length; i++)
        {
            if (digits[i] is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A length header: -1 means null (where allowed), larger than <paramref name="max"/> is rejected.</summary>
    private static long ParseLength(ReadOnlySpan<byte> line, int at, bool nullAllowed, int max)
    {
        if (!line.IsEmpty && line[0] == (byte)'?')
        {
            throw Error("streamed strings and aggregates are not supported", at);
        }

        long n = ParseInteger(line, at);
        if (n == -1 && nullAllowed)
        {
            return -1;
        }

        if (n < 0 || n > max)
        {
            throw Error("length " + n.ToString(CultureInfo.InvariantCulture) + " out of range", at);
        }

        return n;
    }

    private static double ParseDouble(ReadOnlySpan<byte> line, int at)
    {
        if (line.SequenceEqual("inf"u8) || line.SequenceEqual("+inf"u8))
        {
            return double.PositiveInfinity;
        }

        if (line.SequenceEqual("-inf"u8))
        {
            return double.NegativeInfinity;
        }

        if (line.SequenceEqual("nan"u8) || line.SequenceEqual("-nan"u8))
        {
            return double.NaN;
        }

        if (line.IsEmpty || line.ContainsAnyExcept("0123456789+-.eE"u8)
            || !double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            throw Error("malformed double", at);
        }

        return d;
    }

    private static byte[] ParseBigNumber(ReadOnlySpan<byte> line, int at)
    {
        var digits = !line.IsEmpty && line[0] is (byte)'-' or (byte)'+' ? line[1..] : line;
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            throw Error("malformed big number", at);
        }

        return line.ToArray();
    }

    private static byte[] Intern(ReadOnlySpan<byte> line) =>
        line.SequenceEqual(Ok) ? Ok
        : line.SequenceEqual(Pong) ? Pong
        : line.SequenceEqual(Queued) ? Queued
        : line.IsEmpty ? Empty
        : line.ToArray();

    private static RespProtocolException Error(string what, int offset) =>
        new("invalid RESP at byte " + offset.ToString(CultureInfo.InvariantCulture) + " of the reply: " + what);
}
