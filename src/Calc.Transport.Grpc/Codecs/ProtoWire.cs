using System.Text;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// A forward reader of protobuf wire format over one contiguous payload, for the hand-written codecs.
/// Every method returns false on input the fast path does not take — malformed bytes, but also legal rarities
/// (groups, over-long varints) — and the codec then hands the whole payload to the generated parser, whose
/// answer (a message or <c>InvalidProtocolBufferException</c>) is the reference. So the fast path never
/// accepts what the generated parser rejects, and never has to reproduce its error cases.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool End => _pos >= _data.Length;

    /// <summary>A tag with a field number above 0 and wire type varint, fixed64, length-delimited or fixed32.</summary>
    public bool TryReadTag(out uint tag)
    {
        if (!TryReadVarint32(out tag) || tag >> 3 == 0)
        {
            return false;
        }

        return (tag & 7) is 0 or 1 or 2 or 5;
    }

    /// <summary>A varint of at most 10 bytes whose tenth byte holds one bit at most (protobuf's 64-bit varint).</summary>
    public bool TryReadVarint64(out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                return false;
            }

            byte b = _data[_pos++];
            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A varint of at most 5 bytes holding a 32-bit value (tags, lengths); longer forms go to the reference parser.</summary>
    private bool TryReadVarint32(out uint value)
    {
        value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                return false;
            }

            byte b = _data[_pos++];
            if (shift == 28 && b > 0x0F)
            {
                return false;
            }

            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The body of a length-delimited field (after its tag): a non-negative length inside the payload.</summary>
    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> body)
    {
        body = default;
        if (!TryReadVarint32(out uint length) || length > int.MaxValue || length > (uint)(_data.Length - _pos))
        {
            return false;
        }

        body = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return true;
    }

    /// <summary>Skips the value of an unknown field of <paramref name="tag"/>'s wire type.</summary>
    public bool TrySkip(uint tag)
    {
        switch (tag & 7)
        {
            case 0:
                return TryReadVarint64(out _);
            case 1:
                return TryAdvance(8);
            case 2:
                return TryReadLengthDelimited(out _);
            case 5:
                return TryAdvance(4);
            default:
                return false;
        }
    }

    private bool TryAdvance(int count)
    {
        if (count > _data.Length - _pos)
        {
            return false;
        }

        _pos += count;
        return true;
    }
}

/// <summary>Protobuf wire-format sizes and writes into spans, as Google.Protobuf computes and writes them.</summary>
internal static class WireWrite
{
    /// <summary>UTF-8 without BOM, replacing invalid UTF-16 (what Google.Protobuf writes strings with).</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>int32 as protobuf writes it: negative values sign-extended to 10 bytes.</summary>
    public static int Int32Size(int value) => value >= 0 ? VarintSize((uint)value) : 10;

    /// <summary>Size of a length-delimited field of a one-byte tag holding <paramref name="length"/> bytes.</summary>
    public static int FieldSize(int length) => 1 + VarintSize((uint)length) + length;

    /// <summary>Size of a string field with a one-byte tag; 0 for the empty string (proto3 omits it).</summary>
    public static int StringFieldSize(int utf8Length) => utf8Length == 0 ? 0 : FieldSize(utf8Length);

    public static int Utf8Length(string value) => Utf8.GetByteCount(value);

    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes tag and length; returns the bytes written.</summary>
    public static int WriteHeader(Span<byte> destination, byte tag, int length)
    {
        destination[0] = tag;
        return 1 + WriteVarint(destination[1..], (uint)length);
    }

    /// <summary>Writes a string field with a one-byte tag (nothing for the empty string); returns the bytes written.</summary>
    public static int WriteString(Span<byte> destination, byte tag, string value, int utf8Length)
    {
        if (utf8Length == 0)
        {
            return 0;
        }

        int n = WriteHeader(destination, tag, utf8Length);
        return n + Utf8.GetBytes(value, destination[n..]);
    }
}
