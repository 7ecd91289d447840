using Calc.Domain.Errors;
using Calc.Domain.Rules;

namespace Calc.Domain.Tax.ProfitTax;

/// <summary>Facade: validates, picks the rule version for the tax year and computes profit tax.</summary>
public static class ProfitTaxCalculator
{
    public static CalcResult<ProfitTaxResult> Compute(ProfitTaxInput input, RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        var error = TaxText.NonNegative(input.MiningIncomeRub, "mining_income_rub")
            ?? TaxText.NonNegative(input.MiningExpensesRub, "mining_expenses_rub")
            ?? TaxText.NonNegative(input.LossesCarriedForwardRub, "losses_carried_forward_rub");
        if (error is not null)
        {
            return error;
        }

        if (!Enum.IsDefined(input.Period))
        {
            return CalcError.Invalid(Reasons.InvalidEnum, "period", "period must be Q1, H1, M9 or YEAR");
        }

        var version = TaxRuleVersions.ForTaxYear(input.TaxYear);
        if (!version.IsSuccess)
        {
            return version.Error!;
        }

        var result = version.Value.ProfitTax.Compute(input, rules, version.Value);
        return result.IsSuccess
            ? result.Value with
            {
                RulesReviewedOn = rules.LastReviewedOn,
                PastRulesReview = rules.IsPastReview(input.TaxYear),
                Explanation = TaxText.WithReviewNote(result.Value.Explanation, rules.PastReviewNote(input.TaxYear)),
            }
            : result;
    }

    /// <summary>Last day (inclusive) of a cumulative reporting period.</summary>
    public static DateOnly PeriodEnd(int year, ReportingPeriod period) => period switch
    {
        ReportingPeriod.Q1 => new DateOnly(year, 3, 31),
        ReportingPeriod.H1 => new DateOnly(year, 6, 30),
        ReportingPeriod.M9 => new DateOnly(year, 9, 30),
        _ => new DateOnly(year, 12, 31),
    };
}
