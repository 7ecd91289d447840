using System.Globalization;
using System.Text;

namespace Calc.Domain.Money;

/// <summary>
/// Strict invariant decimal strings, the only form numbers take on Calc's wire: digits with an optional
/// leading <c>-</c> and an optional <c>.</c> fraction. No exponent, no grouping, no spaces, no <c>+</c>,
/// no comma, nothing non-ASCII. <c>"1,5"</c>, <c>"1e3"</c>, <c>" 1"</c>, <c>"NaN"</c> and <c>""</c> fail.
/// </summary>
public static class DecimalText
{
    /// <summary>Longest accepted text; decimal holds 28–29 significant digits.</summary>
    public const int MaxLength = 40;

    /// <summary>Digits that always fit a <see cref="ulong"/> mantissa.</summary>
    private const int MaxUInt64Digits = 19;

    public static bool TryParse(ReadOnlySpan<char> text, out decimal value)
    {
        value = 0m;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        bool negative = text[0] == '-';
        int i = negative ? 1 : 0;
        int digitsBefore = 0, digitsAfter = 0;
        bool dot = false;
        ulong mantissa = 0;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (c is >= '0' and <= '9')
            {
                if (dot) { digitsAfter++; } else { digitsBefore++; }

                // exact while at most 19 digits (10^19 - 1 < 2^64); longer texts take the BCL path below
                mantissa = unchecked((mantissa * 10) + (uint)(c - '0'));
            }
            else if (c == '.' && !dot)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }

        if (digitsBefore == 0 || (dot && digitsAfter == 0))
        {
            return false;
        }

        if (!negative && digitsBefore + digitsAfter <= MaxUInt64Digits)
        {
            // the value decimal.Parse gives: every digit kept, scale = digits after the point (trailing zeros too)
            value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, false, (byte)digitsAfter);
            return true;
        }

        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Longest text <see cref="Format(decimal)"/> and <see cref="FormatUtf8"/> write (sign, 29 digits, point).</summary>
    public const int MaxFormattedLength = 32;

    /// <summary>
    /// Invariant form without exponent or grouping; keeps the value's scale (<c>9000000.00</c>); exactly what
    /// <c>value.ToString(CultureInfo.InvariantCulture)</c> gives. The text of <see cref="FormatUtf8"/>: the BCL's
    /// general decimal formatter cost ~0.1 µs per value, five values per GetQuote answer (load-tests/README.md).
    /// </summary>
    public static string Format(decimal value)
    {
        Span<byte> text = stackalloc byte[MaxFormattedLength];
        return Encoding.ASCII.GetString(text[..FormatUtf8(value, text)]);
    }

    /// <summary>
    /// Writes <see cref="Format(decimal)"/>'s text as UTF-8 (ASCII) into <paramref name="destination"/> (at least
    /// <see cref="MaxFormattedLength"/> bytes) and returns its length. A mantissa of up to 64 bits (every price and
    /// rouble amount Calc answers with) is written from its digits and the scale; wider ones take the BCL path.
    /// </summary>
    public static int FormatUtf8(decimal value, Span<byte> destination)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        if (bits[2] != 0)
        {
            return value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture)
                ? written
                : throw new ArgumentException("the destination is too small for a decimal", nameof(destination));
        }

        ulong mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        int scale = (bits[3] >> 16) & 0xFF;
        // a negative zero is written "0…", as the BCL does
        int pos = bits[3] < 0 && mantissa != 0 ? 1 : 0;
        if (pos == 1)
        {
            destination[0] = (byte)'-';
        }

        Span<byte> digits = stackalloc byte[20]; // least significant first
        int n = 0;
        do
        {
            ulong quotient = mantissa / 10;
            digits[n++] = (byte)('0' + (int)(mantissa - (quotient * 10)));
            mantissa = quotient;
        }
        while (mantissa != 0);

        if (n <= scale)
        {
            // 0.000ddd: as many zeros as the scale asks beyond the digits
            destination[pos++] = (byte)'0';
            destination[pos++] = (byte)'.';
            for (int z = n; z < scale; z++)
            {
                destination[pos++] = (byte)'0';
            }
        }

        // the point goes before digit scale - 1, unless the "0." above already holds it (or there is no fraction)
        int pointBefore = n > scale ? scale - 1 : -1;
        for (int i = n - 1; i >= 0; i--)
        {
            if (i == pointBefore)
            {
                destination[pos++] = (byte)'.';
            }

            destination[pos++] = digits[i];
        }

        return pos;
    }
}
