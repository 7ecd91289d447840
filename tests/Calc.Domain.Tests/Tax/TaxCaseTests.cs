using System.Text.Json;
using Calc.Domain.Tax;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Tax;

public class TaxCaseTests
{
    public static TheoryData<string> NdflCases => CaseFile.Names("ndfl");

    public static TheoryData<string> ProfitTaxCases => CaseFile.Names("profit_tax");

    [Theory]
    [MemberData(nameof(NdflCases))]
    public void ComputeNdfl_Case_MatchesExpected(string name)
    {
        // Arrange
        var c = CaseFile.Load("ndfl", name);
        var i = c.Input;
        var input = new NdflInput(
            i.Int("tax_year"),
            i.Str("residency") == "NON_RESIDENT" ? Residency.NonResident : Residency.Resident,
            i.Dec("mining_income_rub"), i.Dec("mining_expenses_rub"), i.Dec("other_main_base_rub"),
            i.Dec("withheld_rub"), i.Dec("investment_base_rub"),
            [.. i.Items("sales").Select(Sale)],
            new NdflOptions(
                i.Str("expense_excess_policy") == "REDUCE_OTHER_MAIN_BASE" ? ExpenseExcessPolicy.ReduceOtherMainBase : ExpenseExcessPolicy.CapAtMiningIncome,
                i.Str("sale_floor_for_individuals") == "ON"));

        // Act
        var result = NdflCalculator.Compute(input, TestRules.Embedded);

        // Assert
        if (c.Expected.TryGetProperty("error", out _))
        {
            CaseAssert.Error(c.Expected, result.Error, name);
            return;
        }

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        var r = result.Value;
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["main_base_rub"] = r.MainBaseRub,
            ["main_tax_rub"] = r.MainTaxRub,
            ["main_tax_exact_rub"] = r.MainTaxExactRub,
            ["tax_due_rub"] = r.TaxDueRub,
            ["investment_base_rub"] = r.InvestmentBaseRub,
            ["investment_tax_rub"] = r.InvestmentTaxRub,
            ["total_due_rub"] = r.TotalDueRub,
            ["brackets"] = r.Brackets.Select(Bracket).ToList(),
            ["past_rules_review"] = r.PastRulesReview,
            ["rules_reviewed_on"] = r.RulesReviewedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        }, name);
        CaseAssert.Explanation(c.Expected, r.Explanation, name);
        Assert.Equal(TestRules.Embedded.Version, r.RulesVersion);
        Assert.NotEmpty(r.Explanation);
    }

    [Theory]
    [MemberData(nameof(ProfitTaxCases))]
    public void ComputeProfitTax_Case_MatchesExpected(string name)
    {
        // Arrange
        var c = CaseFile.Load("profit_tax", name);
        var i = c.Input;
        var sales = i.Items("sales").ToList();
        var input = new ProfitTaxInput(
            i.Int("tax_year"),
            i.Str("period") switch { "Q1" => ReportingPeriod.Q1, "H1" => ReportingPeriod.H1, "M9" => ReportingPeriod.M9, _ => ReportingPeriod.Year },
            i.Dec("mining_income_rub"), i.Dec("mining_expenses_rub"),
            [.. sales.Select(Sale)],
            i.TryGetProperty("regional_rate_override", out var ov)
                ? new RegionalRateOverride(ov.Dec("rate"), ov.Str("legal_basis"))
                : null,
            [.. i.Items("lots").Select(l => new CoinLot(l.Str("id"), l.Date("acquired_on"), l.Str("asset"), l.Dec("amount"), l.Dec("cost_rub")))],
            i.Dec("losses_carried_forward_rub"),
            new ProfitTaxOptions(
                i.Str("write_off") == "UNIT_COST" ? WriteOffMethod.UnitCost : WriteOffMethod.Fifo,
                i.Str("loss_carry_forward") == "ON" ? LossCarryForwardPolicy.On : LossCarryForwardPolicy.Off));

        // Act
        var result = ProfitTaxCalculator.Compute(input, TestRules.Embedded);

        // Assert
        if (c.Expected.TryGetProperty("error", out _))
        {
            CaseAssert.Error(c.Expected, result.Error, name);
            return;
        }

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        var r = result.Value;
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["income_rub"] = r.IncomeRub,
            ["expenses_rub"] = r.ExpensesRub,
            ["result_rub"] = r.ResultRub,
            ["base_rub"] = r.BaseRub,
            ["tax_rub"] = r.TaxRub,
            ["federal_tax_rub"] = r.FederalTaxRub,
            ["regional_tax_rub"] = r.RegionalTaxRub,
            ["federal_rate"] = r.FederalRate,
            ["regional_rate"] = r.RegionalRate,
            ["regional_rate_legal_basis"] = r.RegionalRateLegalBasis,
            ["sales"] = r.Sales.Select(s => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["taxable_revenue_rub"] = s.TaxableRevenueRub,
                ["floor_applied"] = s.FloorApplied,
                ["floor_rub"] = s.FloorRub,
                ["cost_rub"] = s.CostRub,
            }).ToList(),
            ["past_rules_review"] = r.PastRulesReview,
        }, name);
        CaseAssert.Explanation(c.Expected, r.Explanation, name);
    }

    private static CryptoSale Sale(JsonElement s) => new(
        s.Date("sale_date"), s.Str("asset"), s.Dec("amount"), s.Dec("proceeds_rub"),
        s.DecOrNull("cost_rub"), s.DecOrNull("quote_rub"), s.Dec("selling_costs_rub"), s.Str("lot_id") is { Length: > 0 } lot ? lot : null);

    private static IReadOnlyDictionary<string, object?> Bracket(Calc.Domain.Rules.BracketTax b) => new Dictionary<string, object?>
    {
        ["from_rub"] = b.From,
        ["to_rub"] = b.To,
        ["rate"] = b.Rate,
        ["base_rub"] = b.Base,
        ["tax_rub"] = b.Tax,
    };
}
