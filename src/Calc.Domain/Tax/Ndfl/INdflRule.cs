using Calc.Domain.Errors;
using Calc.Domain.Rules;

namespace Calc.Domain.Tax.Ndfl;

/// <summary>NDFL logic of one regime (see <see cref="TaxRuleVersions"/>); stateless.</summary>
public interface INdflRule
{
    CalcResult<NdflResult> Compute(NdflInput input, RuleSet rules, TaxRuleVersion version);
}
