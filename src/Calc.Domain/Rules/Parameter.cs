using Calc.Domain.Errors;

namespace Calc.Domain.Rules;

/// <summary>One dated value of a parameter: in force from <see cref="From"/> until the next entry; a null value ends the rule.</summary>
public sealed record ParameterValue(DateOnly From, decimal? Value, LegalReference Reference);

/// <summary>
/// A scalar tax parameter (a rate, a limit) with values keyed by effective date, OpenFisca style.
/// The value on day D is the last value dated on or before D; before the first value, or after a null
/// value, no rule is in force and the lookup says so instead of defaulting.
/// </summary>
public sealed class Parameter
{
    private readonly ParameterValue[] _values;

    internal Parameter(string name, string description, string unit, DateOnly lastReviewedOn, ParameterValue[] values)
    {
        Name = name;
        Description = description;
        Unit = unit;
        LastReviewedOn = lastReviewedOn;
        _values = values;
    }

    /// <summary>The file path below <c>Parameters/</c> without extension, e.g. <c>nk/ch25/art284/federal_rate</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    public string Unit { get; }

    public DateOnly LastReviewedOn { get; }

    public IReadOnlyList<ParameterValue> Values => _values;

    /// <summary>The entry in force on <paramref name="date"/>, or NO_RULE_IN_FORCE.</summary>
    public CalcResult<ParameterValue> EntryAt(DateOnly date)
    {
        int i = DatedLookup.LastOnOrBefore(_values, date, static v => v.From);
        if (i < 0 || _values[i].Value is null)
        {
            return CalcError.Precondition(Reasons.NoRuleInForce,
                $"parameter {Name} has no value in force on {date:yyyy-MM-dd}", "date");
        }

        return _values[i];
    }

    /// <summary>The value in force on <paramref name="date"/>, or NO_RULE_IN_FORCE.</summary>
    public CalcResult<decimal> At(DateOnly date)
    {
        var entry = EntryAt(date);
        return entry.IsSuccess ? entry.Value.Value!.Value : entry.Error!;
    }
}

internal static class DatedLookup
{
    /// <summary>Index of the last item whose date is on or before <paramref name="date"/> (items ascending), or -1.</summary>
    public static int LastOnOrBefore<T>(T[] items, DateOnly date, Func<T, DateOnly> dateOf)
    {
        int lo = 0, hi = items.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (dateOf(items[mid]) <= date)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
