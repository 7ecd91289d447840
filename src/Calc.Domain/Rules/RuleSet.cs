using Calc.Domain.Calendar;

namespace Calc.Domain.Rules;

/// <summary>
/// The validated, immutable set of tax parameters and reference data, loaded once at startup by
/// <see cref="RuleSetLoader"/>. <see cref="Version"/> is a content hash of every file (exposed as
/// <c>rules_version</c>): two hosts with the same version compute the same figures.
/// </summary>
public sealed class RuleSet
{
    internal RuleSet(string version, IReadOnlyDictionary<string, Parameter> parameters,
        IReadOnlyDictionary<string, ScaleParameter> scales, ProductionCalendar calendar, MiningRestrictions restrictions)
    {
        Version = version;
        Parameters = parameters;
        Scales = scales;
        Calendar = calendar;
        Restrictions = restrictions;
        NdflMainScale = scales[ParameterNames.NdflMainScale];
        NdflInvestmentScale = scales[ParameterNames.NdflInvestmentScale];
        NdflNonResidentRate = parameters[ParameterNames.NdflNonResidentRate];
        ProfitFederalRate = parameters[ParameterNames.ProfitFederalRate];
        ProfitRegionalRate = parameters[ParameterNames.ProfitRegionalRate];
        SaleRevenueFloorDiscount = parameters[ParameterNames.SaleRevenueFloorDiscount];
        LossCarryForwardCap = parameters[ParameterNames.LossCarryForwardCap];
        IndividualMonthlyKwhLimit = parameters[ParameterNames.IndividualMonthlyKwhLimit];
    }

    /// <summary><c>sha256:</c> and the first 16 hex digits of the hash over all rule files (name + content).</summary>
    public string Version { get; }

    public IReadOnlyDictionary<string, Parameter> Parameters { get; }

    public IReadOnlyDictionary<string, ScaleParameter> Scales { get; }

    public ProductionCalendar Calendar { get; }

    public MiningRestrictions Restrictions { get; }

    public ScaleParameter NdflMainScale { get; }

    public ScaleParameter NdflInvestmentScale { get; }

    public Parameter NdflNonResidentRate { get; }

    public Parameter ProfitFederalRate { get; }

    public Parameter ProfitRegionalRate { get; }

    public Parameter SaleRevenueFloorDiscount { get; }

    public Parameter LossCarryForwardCap { get; }

    public Parameter IndividualMonthlyKwhLimit { get; }
}
