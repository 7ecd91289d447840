using Calc.Domain.Errors;
using Calc.Domain.Rules;

namespace Calc.Domain.Tax.Ndfl;

/// <summary>
/// Facade: validates the input, picks the rule version for the tax year and computes NDFL. The investment base
/// may be negative (a net loss on sales): its tax is then 0 and the explanation says so.
/// </summary>
public static class NdflCalculator
{
    public static CalcResult<NdflResult> Compute(NdflInput input, RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        var error = TaxText.NonNegative(input.MiningIncomeRub, "mining_income_rub")
            ?? TaxText.NonNegative(input.MiningExpensesRub, "mining_expenses_rub")
            ?? TaxText.NonNegative(input.OtherMainBaseRub, "other_main_base_rub")
            ?? TaxText.NonNegative(input.WithheldRub, "withheld_rub");
        if (error is not null)
        {
            return error;
        }

        if (!Enum.IsDefined(input.Residency))
        {
            return CalcError.Invalid(Reasons.InvalidEnum, "residency", "residency must be RESIDENT or NON_RESIDENT");
        }

        var version = TaxRuleVersions.ForTaxYear(input.TaxYear);
        if (!version.IsSuccess)
        {
            return version.Error!;
        }

        var result = version.Value.Ndfl.Compute(input, rules, version.Value);
        return result.IsSuccess
            ? result.Value with
            {
                RulesReviewedOn = rules.LastReviewedOn,
                PastRulesReview = rules.IsPastReview(input.TaxYear),
                Explanation = TaxText.WithReviewNote(result.Value.Explanation, rules.PastReviewNote(input.TaxYear)),
            }
            : result;
    }
}
