namespace Calc.Domain.Rules;

/// <summary>The parameter files the rule set requires (paths below Parameters/, without .json).</summary>
public static class ParameterNames
{
    public const string NdflMainScale = "nk/ch23/art224/p1_main_scale";
    public const string NdflInvestmentScale = "nk/ch23/art224/p1_1_investment_scale";
    public const string NdflNonResidentRate = "nk/ch23/art224/p3_non_resident_rate";
    public const string ProfitFederalRate = "nk/ch25/art284/federal_rate";
    public const string ProfitRegionalRate = "nk/ch25/art284/regional_rate";
    public const string SaleRevenueFloorDiscount = "nk/ch25/art282_3/sale_revenue_floor_discount";
    public const string LossCarryForwardCap = "nk/ch25/art283/loss_carry_forward_cap";
    public const string IndividualMonthlyKwhLimit = "government/decree_2024_1469/individual_monthly_kwh_limit";

    public const string CalendarFile = "ReferenceData/ru-production-calendar.csv";
    public const string RestrictionsFile = "ReferenceData/ru-mining-restrictions.csv";

    internal static readonly string[] Scales = [NdflMainScale, NdflInvestmentScale];

    internal static readonly string[] Scalars =
    [
        NdflNonResidentRate, ProfitFederalRate, ProfitRegionalRate, SaleRevenueFloorDiscount,
        LossCarryForwardCap, IndividualMonthlyKwhLimit,
    ];
}
