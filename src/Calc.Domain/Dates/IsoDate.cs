namespace Calc.Domain.Dates;

/// <summary>
/// Business dates on the wire are <c>YYYY-MM-DD</c>, exactly ten characters, a real calendar day.
/// <para>
/// Read and written digit by digit rather than through <see cref="DateOnly.TryParseExact(ReadOnlySpan{char}, ReadOnlySpan{char}, out DateOnly)"/>
/// and a format string: every call and every batch row carries dates, and the culture-aware parser and formatter
/// cost ~0.4 µs each per unary call in a profile (load-tests/README.md). The accepted set is the same as
/// <c>TryParseExact(text, "yyyy-MM-dd", InvariantCulture)</c> on ten characters (IsoDateTests compares them).
/// </para>
/// </summary>
public static class IsoDate
{
    public const string Format = "yyyy-MM-dd";

    public static bool TryParse(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !TryDigits(text[..4], out int year) || !TryDigits(text.Slice(5, 2), out int month) || !TryDigits(text.Slice(8, 2), out int day)
            || year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    public static string ToText(DateOnly date) =>
        string.Create(10, date, static (span, d) =>
        {
            Write(span[..4], d.Year);
            span[4] = '-';
            Write(span.Slice(5, 2), d.Month);
            span[7] = '-';
            Write(span.Slice(8, 2), d.Day);
        });

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static void Write(Span<char> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }
}
