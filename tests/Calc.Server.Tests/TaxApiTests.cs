using Calc.Server.Tests.Infrastructure;
using Calc.V1;

namespace Calc.Server.Tests;

/// <summary>The worked examples of tax-rules.md §7 (with the corrected figures) through the gRPC API.</summary>
public sealed class TaxApiTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    private CalcClient Client() => new(fixture.Server.GrpcAddress);

    [Theory]
    [InlineData("Ex1a", "RESIDENCY_RESIDENT", "9000000", "", "", "", "", "1422000", "1422000")] // 702000 + 18 % × 4000000
    [InlineData("Ex1b", "RESIDENCY_NON_RESIDENT", "9000000", "", "", "", "", "2700000", "2700000")] // 30 % × 9000000
    [InlineData("Ex2", "RESIDENCY_RESIDENT", "6000000", "", "", "", "", "882000", "882000")] // not the brief's 642000
    [InlineData("Ex3", "RESIDENCY_RESIDENT", "1000000", "300000", "", "", "", "91000", "91000")] // 700000 × 13 %
    [InlineData("Ex6", "RESIDENCY_RESIDENT", "1000000", "", "3000000", "402000", "", "552000", "150000")] // 4 M base; 552000 − 402000 withheld
    [InlineData("Ex12", "RESIDENCY_NON_RESIDENT", "9000000", "2000000", "", "", "", "2700000", "2700000")] // expenses ignored
    [InlineData("Ex13", "RESIDENCY_RESIDENT", "0", "", "", "", "1000000", "0", "130000")] // investment base 13 %
    [InlineData("Ex13b", "RESIDENCY_RESIDENT", "0", "", "", "", "3000000", "0", "402000")] // 312000 + 15 % × 600000
    [InlineData("Ex14", "RESIDENCY_RESIDENT", "500000", "800000", "2000000", "260000", "", "260000", "0")] // mining net capped at 0
    [InlineData("Ex15", "RESIDENCY_RESIDENT", "2400003.85", "", "", "", "", "312001", "312001")] // 312000.5775 → 312001
    public async Task ComputeNdfl_WorkedExample_MatchesTheSpec(string name, string residency, string mining, string expenses,
        string other, string withheld, string investment, string mainTax, string totalDue)
    {
        var response = await Client().ComputeNdflAsync(new ComputeNdflRequest
        {
            TaxYear = 2025,
            Residency = Enum.Parse<Residency>(residency.Replace("RESIDENCY_", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), ignoreCase: true),
            MiningIncomeRub = mining,
            MiningExpensesRub = expenses,
            OtherMainBaseRub = other,
            WithheldRub = withheld,
            InvestmentBaseRub = investment,
        });

        Assert.True(response.MainTaxRub == mainTax, $"{name}: main tax {response.MainTaxRub}");
        Assert.True(response.TotalDueRub == totalDue, $"{name}: total due {response.TotalDueRub}");
        Assert.StartsWith("sha256:", response.RulesVersion, StringComparison.Ordinal);
        Assert.NotEmpty(response.Explanation);
    }

    [Theory]
    [InlineData("2400000", "312000", "312000", 1)] // 13 % × 2400000
    [InlineData("2400001", "312000.15", "312000", 2)] // 312000.15 → 312000 (under 50 kopecks dropped, art. 52 p.6)
    [InlineData("3000000", "402000", "402000", 2)] // 312000 + 15 % × 600000
    [InlineData("5000000", "702000", "702000", 2)] // 312000 + 15 % × 2600000
    [InlineData("20000000", "3402000", "3402000", 3)] // 702000 + 18 % × 15000000
    [InlineData("50000000", "9402000", "9402000", 4)] // 3402000 + 20 % × 30000000
    [InlineData("60000000", "11602000", "11602000", 5)] // 9402000 + 22 % × 10000000
    public async Task ComputeNdfl_Ex5Thresholds_MatchTheSpec(string mainBase, string exactTax, string mainTax, int brackets)
    {
        var response = await Client().ComputeNdflAsync(new ComputeNdflRequest
        {
            TaxYear = 2025,
            Residency = Residency.Resident,
            MiningIncomeRub = mainBase,
        });

        Assert.Equal((mainBase, mainTax, mainTax, "0", mainTax), (response.MainBaseRub, response.MainTaxRub, response.TaxDueRub, response.InvestmentTaxRub, response.TotalDueRub));
        Assert.Equal(brackets, response.Brackets.Count);
        // the brackets split the whole base, and their taxes add up to the unrounded tax
        Assert.Equal(Dec(mainBase), response.Brackets.Sum(b => Dec(b.BaseRub)));
        Assert.Equal(Dec(exactTax), response.Brackets.Sum(b => Dec(b.TaxRub)));
        // 2025 scale: 13 % to 2.4 M, 15 % to 5 M, 18 % to 20 M, 20 % to 50 M, 22 % above (open top bracket)
        Assert.Equal(new[] { 0.13m, 0.15m, 0.18m, 0.20m, 0.22m }[..brackets], response.Brackets.Select(b => Dec(b.Rate)));
        Assert.Equal(new[] { "0", "2400000", "5000000", "20000000", "50000000" }[..brackets], response.Brackets.Select(b => b.FromRub));
        Assert.Equal(new[] { "2400000", "5000000", "20000000", "50000000", "" }[..brackets], response.Brackets.Select(b => b.ToRub));
    }

    private static decimal Dec(string value) => decimal.Parse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("Ex1c", 2025, "9000000", "0", "2250000", "720000", "1530000")]
    [InlineData("Ex4", 2025, "10000000", "0", "2500000", "800000", "1700000")]
    [InlineData("Ex4-2031", 2031, "10000000", "0", "2500000", "700000", "1800000")]
    [InlineData("Ex9", 2025, "1200000", "845000", "88750", "28400", "60350")]
    [InlineData("Ex11", 2031, "4000000", "0", "1000000", "280000", "720000")]
    [InlineData("Ex11-2030", 2030, "4000000", "0", "1000000", "320000", "680000")]
    public async Task ComputeProfitTax_WorkedExample_MatchesTheSpec(string name, int year, string income, string expenses, string tax, string federal, string regional)
    {
        var response = await Client().ComputeProfitTaxAsync(new ComputeProfitTaxRequest
        {
            TaxYear = year,
            Period = name == "Ex9" ? ProfitTaxPeriod.Q1 : ProfitTaxPeriod.Year,
            MiningIncomeRub = income,
            MiningExpensesRub = expenses,
        });

        Assert.Equal((tax, federal, regional), (response.TaxRub, response.FederalTaxRub, response.RegionalTaxRub));
    }

    [Theory]
    [InlineData("6000000", "7600000.00", true, "-1400000.00")] // Ex8: proceeds below quote − 20 % → revenue = floor
    [InlineData("8000000", "8000000", false, "-1000000")]
    [InlineData("10000000", "10000000", false, "1000000")]
    public async Task ComputeProfitTax_Ex8SaleFloor_AppliesQuoteMinus20Percent(string proceeds, string revenue, bool floorApplied, string result)
    {
        var response = await Client().ComputeProfitTaxAsync(new ComputeProfitTaxRequest
        {
            TaxYear = 2025,
            Period = ProfitTaxPeriod.Year,
            MiningIncomeRub = "0",
            Sales = { new Sale { SaleDate = "2025-06-10", Asset = "BTC", Amount = "1", ProceedsRub = proceeds, CostRub = "9000000", QuoteRub = "9500000" } },
        });

        var sale = Assert.Single(response.Sales);
        Assert.Equal((revenue, floorApplied, result), (sale.TaxableRevenueRub, sale.FloorApplied, sale.ResultRub));
    }

    [Fact]
    public async Task ComputeProfitTax_Ex10RegionalOverride_UsesTheReducedRateWithItsBasis()
    {
        var response = await Client().ComputeProfitTaxAsync(new ComputeProfitTaxRequest
        {
            TaxYear = 2026,
            Period = ProfitTaxPeriod.Year,
            MiningIncomeRub = "10000000",
            RegionalRateOverride = new RegionalRateOverride { Rate = "0.10", LegalBasis = "regional law for a regional investment project (NK art. 284 p.1)" },
        });

        Assert.Equal(("1800000", "800000", "1000000"), (response.TaxRub, response.FederalTaxRub, response.RegionalTaxRub));
    }

    [Fact]
    public async Task ComputeProfitTax_SaleWithoutQuote_LooksTheQuoteUpWithProvenance()
    {
        var response = await Client().ComputeProfitTaxAsync(new ComputeProfitTaxRequest
        {
            TaxYear = 2025,
            Period = ProfitTaxPeriod.Q1,
            MiningIncomeRub = "0",
            Sales = { new Sale { SaleDate = "2025-03-16", Asset = "BTC", Amount = "1", ProceedsRub = "5000000", CostRub = "4000000" } },
        });

        var sale = Assert.Single(response.Sales);
        // 82574.53 USDT × 85.5694 (CBR USD in force on Sunday 16.03, set Friday 14.03)
        Assert.Equal("7065852.987382", sale.QuoteRub);
        Assert.True(sale.FloorApplied);
        Assert.Equal("2025-03-15", sale.Provenance.CbrEffectiveDate);
        Assert.Equal("USDT_AS_USD", sale.Provenance.Conversion);
    }

    [Fact]
    public Task ComputeProfitTax_SaleOnADayWithoutClose_FailsNamingTheSale() =>
        RpcAssert.FailsAsync(() => Client().ComputeProfitTaxAsync(new ComputeProfitTaxRequest
        {
            TaxYear = 2025,
            Period = ProfitTaxPeriod.H1,
            MiningIncomeRub = "0",
            Sales = { new Sale { SaleDate = "2025-05-05", Asset = "BTC", Amount = "1", ProceedsRub = "1", CostRub = "1" } },
        }), "NOT_FOUND", "PRICE_NOT_FOUND");

    [Theory]
    [InlineData(TaxpayerKind.Organization, 2025, DeadlineKind.ProfitTaxPayment, "2025", "2026-03-28", "2026-03-30")] // D4: Sat → Mon
    [InlineData(TaxpayerKind.Organization, 2025, DeadlineKind.ProfitTaxDeclaration, "2025-M9", "2025-10-25", "2025-10-27")]
    [InlineData(TaxpayerKind.Individual, 2025, DeadlineKind.NdflDeclaration, "2025", "2026-04-30", "2026-04-30")] // D2
    [InlineData(TaxpayerKind.Individual, 2025, DeadlineKind.MonthlyMiningReport, "2025-08", "2025-09-20", "2025-09-22")] // D1
    [InlineData(TaxpayerKind.Individual, 2026, DeadlineKind.MonthlyMiningReport, "2026-11", "2026-12-20", "2026-12-21")]
    public async Task GetDeadlines_SpecInstances_AreShiftedPastNonWorkingDays(TaxpayerKind kind, int year, DeadlineKind deadline, string period, string statutory, string due)
    {
        var response = await Client().GetDeadlinesAsync(new GetDeadlinesRequest { TaxpayerKind = kind, Year = year });

        var d = Assert.Single(response.Deadlines, d => d.Kind == deadline && d.Period == period);
        Assert.StartsWith("sha256:", response.RulesVersion, StringComparison.Ordinal);
        Assert.Equal((statutory, due), (d.StatutoryDate, d.DueDate));
        Assert.NotEmpty(d.LegalBasis);
    }

    [Fact]
    public async Task GetDeadlines_YearPartlyBeyondTheCalendar_UnsettledDueDatesAreExplicitItemErrors()
    {
        // 2027's reports for Jan-Nov fall in 2027 (calendar known); Dec's report and the 3-NDFL dates fall in 2028 (not decreed)
        var response = await Client().GetDeadlinesAsync(new GetDeadlinesRequest { TaxpayerKind = TaxpayerKind.Individual, Year = 2027 });

        Assert.Equal(14, response.Deadlines.Count);
        var nov = Assert.Single(response.Deadlines, d => d.Period == "2027-11");
        Assert.Equal(("2027-12-20", "2027-12-20", null), (nov.StatutoryDate, nov.DueDate, nov.DueDateError));
        var unsettled = response.Deadlines.Where(d => d.DueDateError is not null).ToList();
        Assert.Equal(["2027-12 2028-01-20", "2027 2028-04-30", "2027 2028-07-15"], unsettled.Select(d => d.Period + " " + d.StatutoryDate));
        Assert.All(unsettled, d =>
        {
            Assert.Equal("", d.DueDate);
            Assert.Equal(("CALENDAR_OUT_OF_RANGE", "due_date"), (d.DueDateError.Reason, d.DueDateError.Field));
        });
    }

    [Fact]
    public Task GetDeadlines_YearTheRulesDoNotCover_IsAnExplicitError() =>
        RpcAssert.FailsAsync(() => Client().GetDeadlinesAsync(new GetDeadlinesRequest { TaxpayerKind = TaxpayerKind.Organization, Year = 2019 }),
            "INVALID_ARGUMENT", "UNSUPPORTED_TAX_YEAR");

    [Fact]
    public async Task CheckCompliance_IndividualAboveLimitInDagestan_FindsRegistrationAndTerritory()
    {
        var response = await Client().CheckComplianceAsync(new CheckComplianceRequest
        {
            TaxpayerKind = TaxpayerKind.Individual,
            TaxRegime = TaxRegime.Osn,
            MonthlyKwh = { "5000", "6500" },
            Region = "05",
            Date = "2025-06-01",
        });

        Assert.Contains(response.Findings, f => f.Reason == "REGISTRATION_REQUIRED" && f.MonthIndex == 1);
        Assert.Contains(response.Findings, f => f.Reason == "RESTRICTED_TERRITORY");
        Assert.DoesNotContain(response.Findings, f => f.MonthIndex == 0);
    }
}
