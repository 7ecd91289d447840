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

    /// <summary>Invariant form without exponent or grouping; keeps the value's scale (<c>9000000.00</c>).</summary>
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
