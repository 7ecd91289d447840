using Calc.Domain.Errors;
using Calc.Domain.Rules;

namespace Calc.Domain.Tax.ProfitTax;

/// <summary>Profit-tax logic of one regime (see <see cref="TaxRuleVersions"/>); stateless.</summary>
public interface IProfitTaxRule
{
    CalcResult<ProfitTaxResult> Compute(ProfitTaxInput input, RuleSet rules, TaxRuleVersion version);
}
