using Calc.Domain.Collateral;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Collateral;

public class CollateralCaseTests
{
    public static TheoryData<string> Cases => CaseFile.Names("collateral");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Value_Case_MatchesExpected(string name)
    {
        // Arrange
        var c = CaseFile.Load("collateral", name);
        var i = c.Input;
        var input = new CollateralInput(i.Str("asset"), i.Dec("amount"), i.Dec("price_rub"), i.Dec("loan_rub"),
            i.Dec("haircut"), i.Dec("margin_call_ltv"), i.Dec("liquidation_ltv"));

        // Act
        var result = CollateralValuator.Value(input);

        // Assert
        if (c.Expected.TryGetProperty("error", out _))
        {
            CaseAssert.Error(c.Expected, result.Error, name);
            return;
        }

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        var v = result.Value;
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["market_value_rub"] = v.MarketValueRub,
            ["collateral_value_rub"] = v.CollateralValueRub,
            ["max_loan_rub"] = v.MaxLoanRub,
            ["ltv"] = v.Ltv,
            ["status"] = v.Status.ToString(),
            ["margin_call_price_rub"] = v.MarginCallPriceRub,
            ["liquidation_price_rub"] = v.LiquidationPriceRub,
        }, name);
    }
}
