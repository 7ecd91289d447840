using System.Globalization;
using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Domain.Tax;

/// <summary>Small helpers shared by the tax calculators: input checks and explanation formatting.</summary>
internal static class TaxText
{
    public static string Rub(decimal value) => DecimalText.Format(value);

    public static string Percent(decimal rate) => (rate * 100m).ToString("0.##", CultureInfo.InvariantCulture) + " %";

    public static CalcError? NonNegative(decimal value, string field) =>
        value < 0m ? CalcError.Invalid(Reasons.NegativeAmount, field, $"{field} must not be negative (got {DecimalText.Format(value)})") : null;

    /// <summary>The explanation with the rules-review note (if any) after the rule-version line.</summary>
    public static IReadOnlyList<string> WithReviewNote(IReadOnlyList<string> lines, string? note)
    {
        if (note is null)
        {
            return lines;
        }

        var all = new List<string>(lines.Count + 1);
        all.AddRange(lines);
        all.Insert(Math.Min(1, all.Count), note);
        return all;
    }
}
