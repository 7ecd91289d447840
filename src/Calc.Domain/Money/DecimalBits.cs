namespace Calc.Domain.Money;

/// <summary>Decimal internals for exact integer fast paths: a non-negative value's 64-bit mantissa and scale, powers of ten.</summary>
internal static class DecimalBits
{
    /// <summary>10^0 … 10^19, the powers of ten that fit 64 bits.</summary>
    public static ReadOnlySpan<ulong> PowersOfTen =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>value = mantissa / 10^scale with the sign bit clear and the mantissa within 64 bits (zero included).</summary>
    public static bool TryUnsigned64(decimal value, out ulong mantissa, out int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        scale = (bits[3] >> 16) & 0xFF;
        return bits[2] == 0 && bits[3] >= 0;
    }

    /// <summary>The decimal mantissa / 10^scale (scale 0 … 28), sign clear.</summary>
    public static decimal FromUnsigned64(ulong mantissa, int scale) =>
        new((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, false, (byte)scale);

    /// <summary>mantissa × 10^by when the product fits 64 bits.</summary>
    public static bool TryScaleUp(ref ulong mantissa, int by)
    {
        if (mantissa == 0 || by == 0)
        {
            return true;
        }

        if (by >= PowersOfTen.Length || Math.BigMul(mantissa, PowersOfTen[by], out ulong low) != 0)
        {
            return false;
        }

        mantissa = low;
        return true;
    }
}

/// <summary>
/// A running sum ((0 + x1) + x2) + … with exactly the decimal (value and scale) that left-to-right decimal
/// addition gives. While every term is non-negative and the sum's mantissa fits 64 bits it is kept as an
/// integer at the largest scale seen — decimal addition is exact then, its scale the larger of the two — and
/// past that the sum continues in decimal from the same bits.
/// </summary>
internal struct RunningSum
{
    private ulong _mantissa;
    private int _scale;
    private bool _inDecimal;
    private decimal _value;

    public readonly decimal Value => _inDecimal ? _value : DecimalBits.FromUnsigned64(_mantissa, _scale);

    public void Add(decimal term)
    {
        if (!_inDecimal && DecimalBits.TryUnsigned64(term, out ulong m, out int s))
        {
            ulong sum = _mantissa;
            int scale = Math.Max(_scale, s);
            if (DecimalBits.TryScaleUp(ref sum, scale - _scale) && DecimalBits.TryScaleUp(ref m, scale - s) && sum + m >= sum)
            {
                _mantissa = sum + m;
                _scale = scale;
                return;
            }
        }

        _value = Value + term;
        _inDecimal = true;
    }
}
