using Calc.Domain.Errors;

namespace Calc.Domain.Rules;

/// <summary>A scale in force from <see cref="From"/>; a null <see cref="Scale"/> means no scale is in force.</summary>
public sealed record ScaleSegment(DateOnly From, TaxScale? Scale, LegalReference Reference);

/// <summary>
/// A dated marginal scale: each bracket's threshold and rate are dated values (OpenFisca
/// <c>brackets: [{threshold: {date: v}, rate: {date: v}}]</c>); the loader folds them into one
/// <see cref="TaxScale"/> per change date so that a lookup is a binary search.
/// </summary>
public sealed class ScaleParameter
{
    private readonly ScaleSegment[] _segments;

    internal ScaleParameter(string name, string description, string thresholdUnit, DateOnly lastReviewedOn, ScaleSegment[] segments)
    {
        Name = name;
        Description = description;
        ThresholdUnit = thresholdUnit;
        LastReviewedOn = lastReviewedOn;
        _segments = segments;
    }

    public string Name { get; }

    public string Description { get; }

    public string ThresholdUnit { get; }

    public DateOnly LastReviewedOn { get; }

    public IReadOnlyList<ScaleSegment> Segments => _segments;

    public CalcResult<ScaleSegment> SegmentAt(DateOnly date)
    {
        int i = DatedLookup.LastOnOrBefore(_segments, date, static s => s.From);
        if (i < 0 || _segments[i].Scale is null)
        {
            return CalcError.Precondition(Reasons.NoRuleInForce,
                $"scale {Name} is not in force on {date:yyyy-MM-dd}", "date");
        }

        return _segments[i];
    }

    public CalcResult<TaxScale> At(DateOnly date)
    {
        var segment = SegmentAt(date);
        return segment.IsSuccess ? segment.Value.Scale! : segment.Error!;
    }
}
