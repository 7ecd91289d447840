using Calc.Server.Tests.Infrastructure;
using Calc.Tests.Shared;
using Calc.V1;

namespace Calc.Server.Tests;

/// <summary>
/// The first vertical slice through the real server process: GetCbrRate over gRPC (h2c) from CBR rates
/// imported at startup, with effective-date semantics and clear errors.
/// </summary>
public sealed class FoundationSliceTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    private CalcClient Client() => new(fixture.Server.GrpcAddress);

    [Fact]
    public async Task GetCbrRate_HolidaySunday_ReturnsRateSetBeforeTheHolidays()
    {
        var client = Client();

        var rate = await client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" });

        // No rate took effect between 2024-12-29 and 2025-01-10 (New-Year holidays).
        Assert.Equal("USD", rate.Currency);
        Assert.Equal("2025-01-05", rate.Date);
        Assert.Equal("2024-12-29", rate.EffectiveDate);
        Assert.Equal(1, rate.Nominal);
        Assert.Equal("101.6797", rate.Value);
        Assert.Equal("101.6797", rate.UnitRate);
        Assert.Equal("import", rate.Source);
    }

    [Theory]
    [InlineData("2025-03-16", "2025-03-15", "85.5694")] // Sunday: the rate set on Friday 14.03, in force Sat–Mon
    [InlineData("2025-03-17", "2025-03-15", "85.5694")] // Monday: still Friday's rate
    [InlineData("2025-03-18", "2025-03-18", "84.3059")] // Tuesday: Monday's setting takes effect
    [InlineData("2025-01-10", "2025-01-10", "102.2911")] // first rate after the holidays, on its own date
    public async Task GetCbrRate_Dates_UseTheRateInForce(string date, string effective, string value)
    {
        var rate = await Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = date });

        Assert.Equal(effective, rate.EffectiveDate);
        Assert.Equal(value, rate.Value);
    }

    [Fact]
    public Task GetCbrRate_UnknownCurrency_IsNotFound() =>
        RpcAssert.FailsAsync(() => Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "GBP", Date = "2025-01-05" }),
            "NOT_FOUND", "UNKNOWN_CURRENCY");

    [Theory]
    [InlineData("2025-1-5")]
    [InlineData("05.01.2025")]
    [InlineData("2025-02-30")]
    [InlineData("")]
    public async Task GetCbrRate_MalformedDate_IsInvalidArgument(string date)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = date }));

        Assert.Equal("INVALID_ARGUMENT", Calc.Transport.Grpc.GrpcErrors.CodeName(e.StatusCode));
        Assert.Contains(RpcAssert.ReasonOf(e), new[] { "INVALID_DATE", "MISSING_FIELD" });
    }

    [Fact]
    public Task GetCbrRate_LowerCaseCurrency_IsInvalidArgument() =>
        RpcAssert.FailsAsync(() => Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "usd", Date = "2025-01-05" }),
            "INVALID_ARGUMENT", "INVALID_CURRENCY");

    [Fact]
    public Task GetCbrRate_DateBeforeFirstRate_IsNotFound() =>
        RpcAssert.FailsAsync(() => Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2024-12-01" }),
            "NOT_FOUND", "RATE_NOT_FOUND");

    [Fact]
    public Task GetCbrRate_DateInAHoleOfTheLoadedSeries_IsNotFoundInsteadOfAStaleRate() =>
        // the fixture holds USD rates to 2025-01-18 and again from 2025-03-11; February is unknown
        RpcAssert.FailsAsync(() => Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-02-10" }),
            "NOT_FOUND", "RATE_NOT_FOUND");

    [Fact]
    public async Task ListCbrRates_HolidayWeek_GivesOneRatePerCalendarDay()
    {
        var response = await Client().ListCbrRatesAsync(new ListCbrRatesRequest { Currencies = { "USD" }, From = "2024-12-28", To = "2025-01-11" });

        Assert.Empty(response.Missing);
        Assert.Equal(15, response.Rates.Count);
        Assert.Equal(["2024-12-28", "2024-12-29"], response.Rates.Select(r => r.EffectiveDate).Distinct().Take(2));
        Assert.All(response.Rates.Where(r => string.CompareOrdinal(r.Date, "2025-01-10") < 0 && r.Date != "2024-12-28"),
            r => Assert.Equal("2024-12-29", r.EffectiveDate));
        Assert.Equal("101.9146", response.Rates[^1].Value);
    }

    [SharedDataFact]
    public async Task GetCbrRate_SharedDataImported_HolidaySundayMatchesTheFile()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.SharedImport });
        var client = new CalcClient(server.GrpcAddress);

        var rate = await client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" });

        Assert.Equal("2024-12-29", rate.EffectiveDate);
        Assert.Equal("101.6797", rate.Value);
    }
}

/// <summary>Startup import failures stop the process with the file, line and reason.</summary>
public sealed class StartupImportTests
{
    [Fact]
    public async Task Startup_MalformedImportRow_ExitsNamingFileLineAndReason()
    {
        await using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.BadImport }, waitUntilAlive: false);

        int exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("cbr-rates.csv:3", server.Output, StringComparison.Ordinal);
        Assert.Contains("INVALID_ROW", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_SkipAndReport_ServesTheGoodRowsAndLogsTheBadOne()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["MarketData__ImportPath"] = Fixtures.BadImport,
            ["MarketData__ImportErrors"] = "SkipAndReport",
        });
        var client = new CalcClient(server.GrpcAddress);

        var rate = await client.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-10" });
        // logged during startup, but the logger and the pipe are asynchronous: it may arrive after /alive answered
        string output = await server.WaitForOutputAsync("cbr-rates.csv:3", TimeSpan.FromSeconds(30));

        Assert.Equal("102.2911", rate.Value);
        Assert.Contains("cbr-rates.csv:3", output, StringComparison.Ordinal);
    }
}
