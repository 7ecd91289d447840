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
        var reviewed = DateOnly.MaxValue;
        foreach (var p in parameters.Values)
        {
            reviewed = p.LastReviewedOn < reviewed ? p.LastReviewedOn : reviewed;
        }

        foreach (var p in scales.Values)
        {
            reviewed = p.LastReviewedOn < reviewed ? p.LastReviewedOn : reviewed;
        }

        LastReviewedOn = reviewed;
    }

    /// <summary>
    /// The earliest <c>lastReviewedOn</c> of the parameter files: every value was checked against the law as of
    /// this date. A tax year that begins after it is still computed (a value holds until the next dated value),
    /// but law changes made after the review cannot be in the files; <see cref="IsPastReview"/> says so.
    /// </summary>
    public DateOnly LastReviewedOn { get; }

    /// <summary>True when tax year <paramref name="taxYear"/> begins after <see cref="LastReviewedOn"/>.</summary>
    public bool IsPastReview(int taxYear) => new DateOnly(taxYear, 1, 1) > LastReviewedOn;

    /// <summary>The explanation line for a tax year past the review, or null.</summary>
    public string? PastReviewNote(int taxYear) => IsPastReview(taxYear)
        ? $"tax year {taxYear} lies past the rules' last review ({LastReviewedOn:yyyy-MM-dd}): computed with the values in force "
          + "at that review (each dated value holds until the next one); a law change made since is not reflected, check before filing"
        : null;

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
