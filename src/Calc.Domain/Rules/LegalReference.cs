namespace Calc.Domain.Rules;

/// <summary>The act (and optionally a link to its text) that a dated parameter value rests on.</summary>
public sealed record LegalReference(string Title, string? Href = null)
{
    public override string ToString() => Href is null ? Title : Title + " <" + Href + ">";
}
