using System.Globalization;

namespace Calc.Domain.Dates;

/// <summary>Business dates on the wire are <c>YYYY-MM-DD</c>, exactly ten characters, a real calendar day.</summary>
public static class IsoDate
{
    public const string Format = "yyyy-MM-dd";

    public static bool TryParse(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        return text.Length == 10 && text[4] == '-' && text[7] == '-'
            && DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    public static string ToText(DateOnly date) => date.ToString(Format, CultureInfo.InvariantCulture);
}
