using System.Globalization;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// <c>decimal.ToString(CultureInfo.InvariantCulture)</c> (what <c>DecimalText.Format</c> gives) written as
/// UTF-8. RUB values are non-negative with a 64-bit mantissa, which is formatted here with integer
/// arithmetic; everything else (negative values, mantissas above 2^64) goes to the runtime's formatter.
/// </summary>
internal static class DecimalUtf8
{
    /// <summary>Longest text: 29 digits, a sign and a point.</summary>
    public const int MaxLength = 32;

    public static int Format(decimal value, Span<byte> destination)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        if (bits[2] != 0 || bits[3] < 0)
        {
            return value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture)
                ? written
                : throw new ArgumentException("the destination is too small for a decimal", nameof(destination));
        }

        int scale = (bits[3] >> 16) & 0xFF;
        ulong mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        Span<byte> digits = stackalloc byte[20];
        int n = 0;
        do
        {
            ulong quotient = mantissa / 10;
            digits[n++] = (byte)('0' + (int)(mantissa - (quotient * 10)));
            mantissa = quotient;
        }
        while (mantissa != 0);

        int pos = 0;
        if (n <= scale)
        {
            // 0.000ddd
            destination[pos++] = (byte)'0';
            destination[pos++] = (byte)'.';
            for (int z = n; z < scale; z++)
            {
                destination[pos++] = (byte)'0';
            }

            for (int i = n - 1; i >= 0; i--)
            {
                destination[pos++] = digits[i];
            }

            return pos;
        }

        for (int i = n - 1; i >= 0; i--)
        {
            if (i == scale - 1)
            {
                destination[pos++] = (byte)'.';
            }

            destination[pos++] = digits[i];
        }

        return pos;
    }
}
