using Calc.Domain.Rules;

namespace Calc.Domain.Tax.Ndfl;

/// <summary>
/// NDFL for one year. Bases are in roubles and kopecks; taxes in whole roubles (art. 52 p.6), rounded once.
/// <see cref="TaxDueRub"/> = main tax − withheld (negative = withheld exceeds the tax on the main base).
/// Bracket taxes are exact (unrounded) shares of <see cref="MainTaxRub"/> before rounding.
/// </summary>
public sealed record NdflResult(
    int TaxYear,
    Residency Residency,
    decimal MiningNetRub,
    decimal MainBaseRub,
    decimal MainTaxExactRub,
    decimal MainTaxRub,
    IReadOnlyList<BracketTax> Brackets,
    decimal TaxDueRub,
    decimal InvestmentBaseRub,
    decimal InvestmentTaxRub,
    IReadOnlyList<BracketTax> InvestmentBrackets,
    decimal TotalDueRub,
    IReadOnlyList<string> Explanation,
    string RuleVersion,
    string RulesVersion)
{
    /// <summary>The rules' last review date (<see cref="Calc.Domain.Rules.RuleSet.LastReviewedOn"/>).</summary>
    public DateOnly RulesReviewedOn { get; init; }

    /// <summary>The tax year begins after <see cref="RulesReviewedOn"/>: computed with the values in force then, flagged.</summary>
    public bool PastRulesReview { get; init; }
}
