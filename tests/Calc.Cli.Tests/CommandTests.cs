using System.Globalization;
using System.Text.Json;
using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

[Collection(ServerCollection.Name)]
public class CommandTests(ServerFixture server)
{
    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Quote_BinanceUsdt_IsTheImportedCloseTimesTheUsdRateInForce(string mode)
    {
        var result = await CalcCli.RunAsync(["quote", "BTC", "2025-03-16", "--venue", "binance", "--currency", "USDT", "--json", .. Mode(mode)]);

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        string close = MarketFixture.Close("binance", "BTC", "USDT", "2025-03-16");
        var (effective, rate) = MarketFixture.RateInForce("USD", "2025-03-16"); // Sunday: Saturday's rate
        Assert.Equal("2025-03-15", effective);
        Assert.Equal(MarketFixture.Parse(close) * MarketFixture.Parse(rate), MarketFixture.Parse(root.GetProperty("price_rub").GetString()!));
        var provenance = root.GetProperty("provenance");
        Assert.Equal((close, effective, "BTC/USDT"),
            (provenance.GetProperty("close").GetString(), provenance.GetProperty("cbr_effective_date").GetString(), provenance.GetProperty("pair").GetString()));
    }

    [Fact]
    public async Task Quote_Table_ShowsPriceAndProvenance()
    {
        var result = await CalcCli.RunAsync("quote", "BTC", "14.03.2025", "--venue", "coinbase", "--currency", "USD", "--server", server.Address);

        string close = MarketFixture.Close("coinbase", "BTC", "USD", "2025-03-14");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"│ {close} │", result.Out, StringComparison.Ordinal);
        Assert.Contains("│ coinbase │ BTC/USD │", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quote_NoCloseHeld_ExitCode3WithTheReason()
    {
        var result = await CalcCli.RunAsync("quote", "BTC", "2025-04-01", "--venue", "binance", "--currency", "USDT", "--server", server.Address);

        Assert.Equal(ExitCodes.CallFailed, result.ExitCode);
        Assert.StartsWith("calc: NOT_FOUND: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("PRICE_NOT_FOUND", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Ndfl_ResidentAboveTheFirstBracket_TwoBracketsAndWholeRoubles(string mode)
    {
        // (3,000,000 - 120,000) = 2,880,000: 13 % of 2,400,000 = 312,000 + 15 % of 480,000 = 72,000 → 384,000
        var result = await CalcCli.RunAsync(["ndfl", "--year", "2025", "--mining-income", "3 000 000", "--expenses", "120000,00", "--csv", .. Mode(mode)]);

        Assert.Equal(0, result.ExitCode);
        var rows = result.OutLines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        Assert.Equal(2880000m, MarketFixture.Parse(rows["main_base_rub"]));
        Assert.Equal("384000", rows["main_tax_rub"]);
        Assert.Equal("384000", rows["total_due_rub"]);
    }

    [Fact]
    public async Task Ndfl_IncomeReport_SumsTheMonthlyReportOfTheYear()
    {
        using var temp = Fixtures.Temp();
        await CalcCli.RunAsync("income", "recognize", "--in", Fixtures.Receipts("iso-utf8.csv"), "--out", temp.File("income.csv"),
            "--report", temp.File("monthly.csv"), "--venue", "binance", "--currency", "USDT", "--usdt-policy", "usd", "--quiet", "--server", server.Address);
        decimal income = IncomeCommandTests.ReadCsv(temp.File("monthly.csv")).Sum(r => MarketFixture.Parse(r["income_rub"]));

        var result = await CalcCli.RunAsync("ndfl", "--year", "2025", "--income-report", temp.File("monthly.csv"), "--json", "--server", server.Address);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(income, MarketFixture.Parse(json.RootElement.GetProperty("main_base_rub").GetString()!));
        // below 2,400,000: 13 %, whole roubles (art. 52 p.6: 50 kopecks and more round up)
        Assert.Equal(decimal.Round(income * 0.13m, 0, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture),
            json.RootElement.GetProperty("main_tax_rub").GetString());
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task ProfitTax_Q1_TwentyFivePercentSplitEightSeventeen(string mode)
    {
        // base 1,300,000.50 × 25 % = 325,000.125 → 325,000; federal 8 % = 104,000; regional 221,000
        var result = await CalcCli.RunAsync(["profit-tax", "--year", "2025", "--period", "q1", "--mining-income", "1500000,50", "--expenses", "200000",
            "--json", .. Mode(mode)]);

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(("325000", "104000", "221000"),
            (root.GetProperty("tax_rub").GetString(), root.GetProperty("federal_tax_rub").GetString(), root.GetProperty("regional_tax_rub").GetString()));
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Deadlines_Csv_MarchReportMovesFromSundayToMonday(string mode)
    {
        var result = await CalcCli.RunAsync(["deadlines", "--year", "2025", "--csv", .. Mode(mode)]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("kind,period,statutory_date,due_date,legal_basis", result.OutLines[0]);
        Assert.Contains(result.OutLines, l => l.StartsWith("MONTHLY_MINING_REPORT,2025-03,2025-04-20,2025-04-21,", StringComparison.Ordinal));
        Assert.Equal(12, result.OutLines.Count(l => l.StartsWith("MONTHLY_MINING_REPORT,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Deadlines_YearBeyondTheCalendar_UnsettledDueDateSaysWhy()
    {
        var result = await CalcCli.RunAsync(["deadlines", "--year", "2027", "--csv", "--embedded"]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(result.OutLines, l => l.StartsWith("MONTHLY_MINING_REPORT,2027-11,2027-12-20,2027-12-20,", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.StartsWith("MONTHLY_MINING_REPORT,2027-12,2028-01-20,unknown: CALENDAR_OUT_OF_RANGE,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Collateral_DefaultHaircut_HalvesTheMarketValueOfTheImportedQuote(string mode)
    {
        var result = await CalcCli.RunAsync(["collateral", "BTC", "1,5", "--as-of", "2025-03-14", "--loan", "5000000", "--venue", "binance",
            "--currency", "USDT", "--json", .. Mode(mode)]);

        Assert.True(result.ExitCode == 0, result.Error);
        var root = JsonDocument.Parse(result.Out).RootElement;
        var (_, rate) = MarketFixture.RateInForce("USD", "2025-03-14");
        decimal market = decimal.Round(1.5m * MarketFixture.Parse(MarketFixture.Close("binance", "BTC", "USDT", "2025-03-14")) * MarketFixture.Parse(rate),
            2, MidpointRounding.AwayFromZero);
        Assert.Equal(market, MarketFixture.Parse(root.GetProperty("market_value_rub").GetString()!));
        Assert.Equal(decimal.Round(market * 0.5m, 2, MidpointRounding.AwayFromZero), MarketFixture.Parse(root.GetProperty("collateral_value_rub").GetString()!));
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Health_ReadyServer_ServingAndExitCode0(string mode)
    {
        // patience and per-call deadline generous for a loaded CI machine (the embedded server publishes health after start)
        var result = await CalcCli.RunAsync(["health", "--wait", "60s", "--timeout", "30s", "--json", .. Mode(mode)]);

        var root = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(["(server)", "calc.v1.QuoteService", "calc.v1.IncomeService", "calc.v1.TaxService", "calc.v1.CollateralService"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("SERVING", root.GetProperty("(server)").GetString());
        Assert.Equal(0, result.ExitCode);
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Collateral_LoanBook_OneRowPerLoanWithErrorsInPlace(string mode)
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("loans.csv"), "id;asset;amount;loan_rub\nL1;BTC;1,5;5000000\nL2;XYZ;1;1000\nL3;ETH;10;100000\n");

        var result = await CalcCli.RunAsync(["collateral", "--in", temp.File("loans.csv"), "--as-of", "2025-03-14", "--venue", "binance", "--currency", "USDT",
            "--csv", .. Mode(mode)]);

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        var rows = result.OutLines[1..].Select(l => l.Split(',')).ToArray();
        Assert.Equal(["L1", "L2", "L3"], rows.Select(r => r[0]));
        Assert.Equal(["2", "3", "4"], rows.Select(r => r[^1]));
        Assert.Equal(("error", "PRICE_NOT_FOUND"), (rows[1][1], rows[1][10]));
        var (_, rate) = MarketFixture.RateInForce("USD", "2025-03-14");
        decimal eth = 10m * MarketFixture.Parse(MarketFixture.Close("binance", "ETH", "USDT", "2025-03-14")) * MarketFixture.Parse(rate);
        Assert.Equal(decimal.Round(eth, 2, MidpointRounding.AwayFromZero), MarketFixture.Parse(rows[2][4]));
    }

    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Venues_Csv_PairsWithTheSpanOfTheImportedCloses(string mode)
    {
        var result = await CalcCli.RunAsync(["venues", "--csv", .. Mode(mode)]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            ["binance,BTC/USDT,2025-03-10,2025-03-19,UTC,true,false", "binance,ETH/USDT,2025-03-10,2025-03-19,UTC,true,false",
                "coinbase,BTC/USD,2025-03-10,2025-03-19,UTC,false,false"],
            result.OutLines[1..]);
    }

    [Fact]
    public async Task AnyCommand_Http1AddressGiven_ExitCode4NamingTheMistake()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-14", "--server", server.Server.Http1Address.ToString());

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("calc: the server at --server did not answer as a gRPC (HTTP/2) server:", result.Error, StringComparison.Ordinal);
    }

    private string[] Mode(string mode) => mode == "--embedded" ? ["--embedded", "--data", Fixtures.Market] : ["--server", server.Address];
}
