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

    [Fact]
    public void ComputeNdfl_BracketLinesAndBases_InKopecks_TaxesInWholeRoubles()
    {
        // main base 314,765,562.48: the 22 % bracket is 0.22 x 264,765,562.48 = 58,248,423.7456 exactly
        var r = Tax().ComputeNdfl(Ndfl(2025, "314765562.48"));

        Assert.Equal(58248423.75m, r.Brackets[^1].Tax);
        Assert.All(r.Brackets, b => Assert.True(b.Tax.Scale <= 2 && b.Base.Scale <= 2, $"{b}"));
        Assert.Equal(314765562.48m, r.MainBaseRub);
        Assert.Equal(0, r.MainTaxRub.Scale);
        Assert.Equal(67650424m, r.MainTaxRub); // 9,402,000 + 58,248,423.7456 -> whole roubles
    }

    [Fact]
    public async Task ComputeProfitTax_SaleFiguresInKopecks_QuotePerCoinExact()
    {
        // floor = 0.8 x 3 x 1234567.891 = 2962962.9384 -> revenue in kopecks 2962962.94
        var outcome = await Tax().ComputeProfitTaxAsync(new ProfitTaxRequest(2025, Calc.Domain.Tax.ProfitTax.ReportingPeriod.Year, "0", "",
            [new SaleRequest("2025-05-05", "BTC", "3", "1000", "1000", "1234567.891")], null, null), CancellationToken.None);

        var sale = outcome.Result.Sales[0];
        Assert.Equal((2962962.94m, true), (sale.TaxableRevenueRub, sale.FloorApplied));
        Assert.Equal(1234567.891m, sale.Sale.QuoteRub);
        Assert.Equal(2961962.94m, outcome.Result.BaseRub);
        Assert.Equal(740491m, outcome.Result.TaxRub); // 8 % 236957.04 -> 236957; 17 % 503533.70 -> 503534 (exact base 2961962.9384)
    }
}
