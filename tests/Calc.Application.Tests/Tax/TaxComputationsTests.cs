using Calc.Application.Tax;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Rules;
using Calc.Domain.Tax.Ndfl;

namespace Calc.Application.Tests.Tax;

public sealed class TaxComputationsTests
{
    private static readonly RuleSet Rules = RuleSetLoader.LoadEmbedded();

    private static TaxComputations Tax() =>
        new(Rules, new Pricer(Build.Tiered(new ManualTime(Build.Utc(2026, 12, 7)))), new ValuationOptions());

    private static NdflRequest Ndfl(int year, string mining, string investment = "") =>
        new(year, Residency.Resident, mining, "", "", "", investment, null);

    [Fact]
    public void ComputeNdfl_NegativeInvestmentBase_IsANetLossTaxedZero()
    {
        var r = Tax().ComputeNdfl(Ndfl(2025, "1000000", "-150000.50"));

        Assert.Equal(0m, r.InvestmentTaxRub);
        Assert.Equal(130000m, r.TotalDueRub);
        Assert.Contains(r.Explanation, l => l.Contains("net loss of 150000.50", StringComparison.Ordinal));
    }

    [Fact]
    public void ComputeNdfl_Year2032_UsesTheRulesInForce_AndIsFlaggedPastReview()
    {
        var r = Tax().ComputeNdfl(Ndfl(2032, "6000000"));

        Assert.Equal(882000m, r.MainTaxRub);
        Assert.True(r.PastRulesReview);
        Assert.Equal(new DateOnly(2026, 11, 21), r.RulesReviewedOn);
    }

    [Fact]
    public void ComputeNdfl_Year2024_IsRefusedSayingWhy()
    {
        var e = Assert.Throws<CalcException>(() => Tax().ComputeNdfl(Ndfl(2024, "100")));

        Assert.Equal("UNSUPPORTED_TAX_YEAR", e.Error.Reason);
        Assert.Contains("01.01.2025", e.Error.Message, StringComparison.Ordinal);
    }
}
