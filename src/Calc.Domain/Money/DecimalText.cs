using System.Globalization;

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

    /// <summary>
    /// Invariant form without exponent or grouping; keeps the value's scale (<c>9000000.00</c>); exactly what
    /// <c>value.ToString(CultureInfo.InvariantCulture)</c> gives. A mantissa of up to 64 bits (every price and rouble
    /// amount Calc answers with) is written from its integer digits and the scale: the BCL's general decimal formatter
    /// cost ~0.1 µs per value, five values per GetQuote answer (load-tests/README.md). Longer ones take the BCL path.
    /// </summary>
    public static string Format(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        if (bits[2] != 0)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        ulong mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        int scale = (bits[3] >> 16) & 0xFF;
        bool negative = bits[3] < 0 && mantissa != 0; // a negative zero is written "0…", as the BCL does
        Span<char> digits = stackalloc char[20];
        mantissa.TryFormat(digits, out int count, default, CultureInfo.InvariantCulture);
        if (scale == 0)
        {
            return negative ? string.Concat("-", digits[..count]) : new string(digits[..count]);
        }

        // 0.000123: as many leading zeros as the scale asks beyond the digits
        int whole = Math.Max(1, count - scale);
        int leading = whole + scale - count;
        Span<char> text = stackalloc char[1 + 1 + 1 + 28 + 20];
        int at = 0;
        if (negative)
        {
            text[at++] = '-';
        }

        for (int i = 0, next = 0; i < whole + scale; i++)
        {
            if (i == whole)
            {
                text[at++] = '.';
            }

            text[at++] = i < leading ? '0' : digits[next++];
        }

        return new string(text[..at]);
    }
}
