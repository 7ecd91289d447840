using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

/// <summary>
/// What a script or a new user relies on: exit code 2 for any bad command line, no plausible zero from an income
/// report without the year, loan books read like receipt files, and a hint when no price could be found.
/// Everything here runs in process (the embedded server, or no call at all).
/// </summary>
public class UsabilityTests
{
    private const string NoServer = "http://127.0.0.1:9"; // nothing listens: a test that got this far would exit 4

    private static string Report(TempFolder temp) => WriteFile(temp, "monthly.csv",
        "year,month,asset,amount,income_rub,receipt_count,report_due_date\n2025,3,BTC,0.5,4000000.00,3,2025-04-21\n2025,4,BTC,0.1,800000.00,1,2025-05-20\n");

    private static string WriteFile(TempFolder temp, string name, string text)
    {
        File.WriteAllText(temp.File(name), text);
        return temp.File(name);
    }

    [Fact]
    public async Task Ndfl_IncomeReportWithoutARowOfTheYear_ExitCode2NamingTheYearsFound()
    {
        using var temp = Fixtures.Temp();

        var result = await CalcCli.RunAsync("ndfl", "--year", "2026", "--income-report", Report(temp), "--server", NoServer);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("calc: monthly.csv: no row of the monthly report is for 2026; it has rows for 2025 (months 3,4). "
            + "Give the report of that period, another --year, or the income with --mining-income\n", result.Error);
    }

    [Fact]
    public async Task ProfitTax_IncomeReportWithoutARowOfThePeriod_ExitCode2()
    {
        using var temp = Fixtures.Temp();
        string report = WriteFile(temp, "q2.csv", "year,month,asset,amount,income_rub,receipt_count,report_due_date\n2025,4,BTC,0.1,800000.00,1,2025-05-20\n");

        var result = await CalcCli.RunAsync("profit-tax", "--year", "2025", "--period", "q1", "--income-report", report, "--server", NoServer);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("calc: q2.csv: no row of the monthly report is for 2025 months 1-3; it has rows for 2025 (months 4).", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ndfl_IncomeReportWithTheYear_SumsItsRows()
    {
        using var temp = Fixtures.Temp();

        var result = await CalcCli.RunAsync("ndfl", "--year", "2025", "--income-report", Report(temp), "--csv", "--embedded");

        Assert.True(result.ExitCode == 0, result.Error);
        var rows = result.OutLines.Skip(1).Select(l => l.Split(',')).Where(f => f.Length > 1).ToDictionary(f => f[0], f => f[1]);
        Assert.Equal("4800000", rows["main_base_rub"].Split('.')[0]);
    }

    [Theory]
    [InlineData("deadlines", "--taxpayer", "organization")] // missing --year
    [InlineData("ndfl", "--mining-income", "5")] // missing --year
    [InlineData("deadlines", "--year", "2025", "--bogus", "1")] // unknown option
    [InlineData("deadlines", "--year", "2025", "--taxpayer", "company")] // not one of individual, entrepreneur, organization
    [InlineData("no-such-command")]
    public async Task BadCommandLine_ExitCode2WithTheErrorAndWhereToLook(params string[] args)
    {
        var result = await CalcCli.RunAsync([.. args, "--server", NoServer]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("calc: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help'", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task CollateralBook_RussianHeaders_BadRowMarkedInPlace_OthersValued_LowerCaseStatuses()
    {
        using var temp = Fixtures.Temp();
        string book = WriteFile(temp, "loans.csv", "Номер;Монета;Количество;Кредит\nK-1;btc;1,5;5000000\nK-2;BTC;полтора;1000\nK-3;ETH;10;100000\nK-4;BTC;0,1;100000000\n");

        var result = await CalcCli.RunAsync("collateral", "--in", book, "--as-of", "2025-03-14", "--venue", "binance", "--currency", "USDT",
            "--csv", "--embedded", "--data", Fixtures.Market);

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        var rows = result.OutLines[1..].Select(l => l.Split(',')).ToArray();
        Assert.Equal(["K-1", "K-2", "K-3", "K-4"], rows.Select(r => r[0]));
        Assert.Equal(["ok", "error", "ok", "liquidation"], rows.Select(r => r[1]));
        Assert.Equal(["2", "3", "4", "5"], rows.Select(r => r[^1]));
        Assert.Equal(("BTC", "INVALID_DECIMAL"), (rows[1][2], rows[1][10]));
        Assert.Equal("BTC", rows[0][2]);
        var (_, rate) = MarketFixture.RateInForce("USD", "2025-03-14");
        decimal btc = 1.5m * MarketFixture.Parse(MarketFixture.Close("binance", "BTC", "USDT", "2025-03-14")) * MarketFixture.Parse(rate);
        Assert.Equal(decimal.Round(btc, 2, MidpointRounding.AwayFromZero), MarketFixture.Parse(rows[0][4]));
    }

    [Fact]
    public async Task CollateralBook_UnreadableLine_MarkedCsvFormatInPlace()
    {
        using var temp = Fixtures.Temp();
        string book = WriteFile(temp, "loans.csv", "id,asset,amount,loan_rub\nL1,BTC,1,1000\nL2,BTC,1,1000,extra\nL3,ETH,1,1000\nL4,BTC,\"1,1000\n");

        var result = await CalcCli.RunAsync("collateral", "--in", book, "--as-of", "2025-03-14", "--venue", "binance", "--currency", "USDT",
            "--csv", "--embedded", "--data", Fixtures.Market);

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        var lines = result.OutLines;
        Assert.StartsWith("L1,ok,BTC,1,", lines[1], StringComparison.Ordinal);
        Assert.Equal("L2,error,BTC,1,,,,,,,CSV_FORMAT,line 3: 5 fields but the header has 4,3", lines[2]);
        Assert.StartsWith("L3,ok,ETH,1,", lines[3], StringComparison.Ordinal);
        Assert.Contains(",CSV_FORMAT,line 5: a quoted field starting on line 5 is not closed before the end of the file,5", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_DataFolderMissing_SaysWhatToPass()
    {
        var result = await CalcCli.RunAsync("quote", "BTC", "2025-03-14", "--embedded", "--data", "/no/such/folder");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("calc: --data '/no/such/folder' is not a folder", result.Error, StringComparison.Ordinal);
        Assert.Contains("closes.csv and cbr-rates.csv", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("MarketData", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_DataFolderWithoutMarketFiles_SaysWhatToPass()
    {
        using var temp = Fixtures.Temp();

        var result = await CalcCli.RunAsync("quote", "BTC", "2025-03-14", "--embedded", "--data", temp.Path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("holds neither closes.csv nor cbr-rates.csv", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_NoData_QuoteNotFound_SuggestsData()
    {
        var result = await CalcCli.RunAsync("quote", "BTC", "2025-03-14", "--embedded");

        Assert.Equal(ExitCodes.CallFailed, result.ExitCode);
        Assert.Contains("PRICE_NOT_FOUND", result.Error, StringComparison.Ordinal);
        Assert.Contains("calc: --embedded was given no market data: pass --data DIR", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_NoData_EveryReceiptPriceNotFound_SuggestsDataOrAServer()
    {
        using var temp = Fixtures.Temp();
        string receipts = WriteFile(temp, "r.csv", "id,received_at,asset,amount\nR1,2025-03-14T09:15:00Z,BTC,0.5\nR2,2025-03-15T09:15:00Z,BTC,0.5\n");

        var result = await CalcCli.RunAsync("income", "recognize", "--in", receipts, "--out", temp.File("o.csv"), "--quiet", "--embedded");

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        Assert.Contains("calc: no row could be valued (PRICE_NOT_FOUND): --embedded was given no market data: pass --data DIR", result.Error, StringComparison.Ordinal);
        Assert.Contains("--server URL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_WithData_SomeRowsValued_NoDataHint()
    {
        using var temp = Fixtures.Temp();
        string receipts = WriteFile(temp, "r.csv", "id,received_at,asset,amount\nR1,2025-03-14T09:15:00Z,BTC,0.5\nR2,2025-05-15T09:15:00Z,BTC,0.5\n");

        var result = await CalcCli.RunAsync("income", "recognize", "--in", receipts, "--out", temp.File("o.csv"), "--quiet",
            "--venue", "binance", "--currency", "USDT", "--embedded", "--data", Fixtures.Market);

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        Assert.DoesNotContain("no row could be valued", result.Error, StringComparison.Ordinal);
    }
}
