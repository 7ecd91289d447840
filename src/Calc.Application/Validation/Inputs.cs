using Calc.Domain.Dates;
using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Application.Validation;

/// <summary>
/// Field checks shared by every use case. Each returns null when the value is fine, else the error a client
/// sees (code, reason token, message naming the field and value).
/// </summary>
public static class Inputs
{
    /// <summary>Longest echo of a bad value in an error message.</summary>
    private const int EchoLimit = 64;

    public static CalcError? Date(string? text, string field, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrEmpty(text))
        {
            return CalcError.Invalid(Reasons.MissingField, field, $"{field} is required (YYYY-MM-DD)");
        }

        return IsoDate.TryParse(text, out date)
            ? null
            : CalcError.Invalid(Reasons.InvalidDate, field, $"{field} '{Echo(text)}' is not a calendar date in the form YYYY-MM-DD");
    }

    /// <summary>An ISO 4217 alphabetic code: exactly three upper-case ASCII letters.</summary>
    public static CalcError? Currency(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return CalcError.Invalid(Reasons.MissingField, field, $"{field} is required (ISO 4217 code such as USD)");
        }

        return text.Length == 3 && char.IsAsciiLetterUpper(text[0]) && char.IsAsciiLetterUpper(text[1]) && char.IsAsciiLetterUpper(text[2])
            ? null
            : CalcError.Invalid(Reasons.InvalidCurrency, field, $"{field} '{Echo(text)}' is not a 3-letter upper-case ISO 4217 code");
    }

    /// <summary>An asset or quote code: 2–10 upper-case ASCII letters or digits.</summary>
    public static CalcError? AssetCode(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return CalcError.Invalid(Reasons.MissingField, field, $"{field} is required (e.g. BTC)");
        }

        if (text.Length is < 2 or > 10)
        {
            return CalcError.Invalid(Reasons.UnknownAsset, field, $"{field} '{Echo(text)}' is not an asset code (2-10 upper-case letters or digits)");
        }

        bool lower = false;
        foreach (char c in text)
        {
            if (char.IsAsciiLetterLower(c))
            {
                lower = true;
            }
            else if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return CalcError.Invalid(Reasons.UnknownAsset, field, $"{field} '{Echo(text)}' is not an asset code (2-10 upper-case letters or digits)");
            }
        }

        // codes are case-sensitive keys of the market data: refuse with the fix rather than guess (every API call alike)
        return lower
            ? CalcError.Invalid(Reasons.UnknownAsset, field, $"{field} '{text}' is not an asset code: codes are upper case, send '{text.ToUpperInvariant()}'")
            : null;
    }

    /// <summary>A required decimal string in the strict invariant form.</summary>
    public static CalcError? Decimal(string? text, string field, out decimal value)
    {
        value = 0m;
        if (string.IsNullOrEmpty(text))
        {
            return CalcError.Invalid(Reasons.MissingField, field, $"{field} is required (decimal string such as \"1.5\")");
        }

        return DecimalText.TryParse(text, out value)
            ? null
            : CalcError.Invalid(Reasons.InvalidDecimal, field, $"{field} '{Echo(text)}' is not an invariant decimal ('.' separator, no exponent, no grouping, no spaces)");
    }

    /// <summary>An optional decimal string: "" means <paramref name="whenEmpty"/>.</summary>
    public static CalcError? OptionalDecimal(string? text, string field, decimal whenEmpty, out decimal value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = whenEmpty;
            return null;
        }

        return Decimal(text, field, out value);
    }

    /// <summary>A decimal that must be ≥ 0.</summary>
    public static CalcError? NonNegative(decimal value, string field) =>
        value < 0 ? CalcError.Invalid(Reasons.InvalidAmount, field, $"{field} must not be negative (got {DecimalText.Format(value)})") : null;

    /// <summary>A decimal that must be &gt; 0.</summary>
    public static CalcError? Positive(decimal value, string field) =>
        value <= 0 ? CalcError.Invalid(Reasons.InvalidAmount, field, $"{field} must be greater than zero (got {DecimalText.Format(value)})") : null;

    /// <summary>
    /// A client key that must be unique within one request: a non-empty <paramref name="id"/> already in
    /// <paramref name="seen"/> is DUPLICATE_ID (the later occurrence fails, the first is answered).
    /// </summary>
    public static CalcError? UniqueId(string id, HashSet<string> seen, string field)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(seen);
        return id.Length > 0 && !seen.Add(id)
            ? CalcError.Invalid(Reasons.DuplicateId, field, $"{field} '{Echo(id)}' appears more than once in this request")
            : null;
    }

    /// <summary>Batch size check: empty or over the limit fails the whole call.</summary>
    public static CalcError? BatchSize(int count, int limit, string field)
    {
        if (count == 0)
        {
            return CalcError.Invalid(Reasons.EmptyBatch, field, $"{field} is empty; send at least one item");
        }

        return count > limit
            ? CalcError.Invalid(Reasons.TooManyItems, field, $"{field} has {count} items; the limit per call is {limit}")
            : null;
    }

    /// <summary>A client's value as quoted back in a message: at most 64 characters.</summary>
    public static string Echo(string text) => text.Length <= EchoLimit ? text : string.Concat(text.AsSpan(0, EchoLimit), "…");
}
