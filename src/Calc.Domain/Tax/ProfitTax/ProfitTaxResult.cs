namespace Calc.Domain.Tax.ProfitTax;

/// <summary>
/// Profit tax on the digital-currency base for a period. <see cref="ResultRub"/> is income − expenses (may be
/// negative: the loss stays inside the crypto base); <see cref="BaseRub"/> = max(0, result − loss used).
/// Federal part = round(base × federal rate) (Sheet 02 line 190), regional part = round(base × regional rate)
/// (line 200), each in whole roubles (art. 52 p.6); tax = federal + regional (line 180).
/// </summary>
public sealed record ProfitTaxResult(
    int TaxYear,
    ReportingPeriod Period,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    decimal IncomeRub,
    decimal ExpensesRub,
    decimal ResultRub,
    decimal LossUsedRub,
    decimal BaseRub,
    decimal TaxRub,
    decimal FederalTaxRub,
    decimal RegionalTaxRub,
    decimal FederalRate,
    decimal RegionalRate,
    string RegionalRateLegalBasis,
    IReadOnlyList<SaleRevenue> Sales,
    IReadOnlyList<string> Explanation,
    string RuleVersion,
    string RulesVersion)
{
    /// <summary>The rules' last review date (<see cref="Calc.Domain.Rules.RuleSet.LastReviewedOn"/>).</summary>
    public DateOnly RulesReviewedOn { get; init; }

    /// <summary>The tax year begins after <see cref="RulesReviewedOn"/>: computed with the values in force then, flagged.</summary>
    public bool PastRulesReview { get; init; }
}
