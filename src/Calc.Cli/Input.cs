using System.Globalization;
using Calc.Domain.Dates;
using Calc.Domain.Money;

namespace Calc.Cli;

/// <summary>
/// Turns what people type or 1C exports into the API's invariant forms: decimals with ',' or '.' and
/// space/NBSP grouping, dates as YYYY-MM-DD or dd.MM.yyyy.
/// </summary>
internal static class Input
{
    /// <summary>"1 234,56" / "1234.56" / "0,00012345" → invariant decimal text; false when not a plain decimal.</summary>
    public static bool TryNormalizeDecimal(string text, out string normalized)
    {
        normalized = "";
        Span<char> buffer = stackalloc char[DecimalText.MaxLength];
        int n = 0;
        bool comma = false, dot = false;
        foreach (char c in text.AsSpan().Trim())
        {
            if (c is ' ' or '\u00A0' or '\u202F')
            {
                continue; // thousands grouping in Russian-locale exports
            }

            if (n == buffer.Length)
            {
                return false;
            }

            comma |= c == ',';
            dot |= c == '.';
            buffer[n++] = c == ',' ? '.' : c;
        }

        if (comma && dot)
        {
            return false; // "1,234.56" or "1.234,56": ambiguous grouping, refuse rather than guess
        }

        var span = buffer[..n];
        if (!DecimalText.TryParse(span, out _))
        {
            return false;
        }

        normalized = span.ToString();
        return true;
    }

    public static string Decimal(string text, string what) =>
        TryNormalizeDecimal(text, out var value) ? value
            : throw new CliException($"{what} '{text}' is not a decimal number (use digits with '.' or ',', e.g. 1500000,50)");

    public static string? OptionalDecimal(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? null : Decimal(text, what);

    /// <summary>YYYY-MM-DD or dd.MM.yyyy → YYYY-MM-DD.</summary>
    public static bool TryNormalizeDate(string text, out string iso)
    {
        text = text.Trim();
        if (IsoDate.TryParse(text, out var date)
            || DateOnly.TryParseExact(text, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            iso = IsoDate.ToText(date);
            return true;
        }

        iso = "";
        return false;
    }

    public static string Date(string text, string what) =>
        TryNormalizeDate(text, out var iso) ? iso : throw new CliException($"{what} '{text}' is not a date (YYYY-MM-DD or dd.MM.yyyy)");
}
