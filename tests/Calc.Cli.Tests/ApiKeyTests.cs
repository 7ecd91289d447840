using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

/// <summary>A server that requires an API key for every call: the CLI sends --api-key as x-api-key.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    private string Address => _server.GrpcAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["MarketData__ImportPath"] = Fixtures.Market,
        ["Auth__ApiKeys"] = "month-end=s3cret-key-2025",
        ["Auth__RequireKeyForReads"] = "true",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Rates_WithTheKey_Answers()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-14", "--csv", "--api-key", "s3cret-key-2025", "--server", Address);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("USD,2025-03-14,2025-03-14,1,", result.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rates_WithoutAKey_Unauthenticated()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-14", "--server", Address);

        Assert.Equal(ExitCodes.CallFailed, result.ExitCode);
        Assert.StartsWith("calc: UNAUTHENTICATED: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recognize_WrongKey_AbortsTheRunWithAMarkerRow()
    {
        using var temp = Fixtures.Temp();

        var result = await CalcCli.RunAsync("income", "recognize", "--in", Fixtures.Receipts("iso-utf8.csv"), "--out", temp.File("o.csv"),
            "--quiet", "--api-key", "not-the-key", "--server", Address);

        Assert.Equal(ExitCodes.CallFailed, result.ExitCode);
        var rows = IncomeCommandTests.ReadCsv(temp.File("o.csv"));
        var marker = Assert.Single(rows);
        Assert.Equal(("aborted", "ABORTED", "2"), (marker["status"], marker["error_reason"], marker["source_line"]));
        Assert.StartsWith("aborted after 0 rows: UNAUTHENTICATED: ", marker["error_message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportCloses_WriteKey_AddsNewDaysKeepsEqualOnesAndTheQuoteUsesThem()
    {
        using var temp = Fixtures.Temp();
        // 2025-03-20 is a real binance close (shared data) the fixture does not hold; 2025-03-14 it does
        File.WriteAllText(temp.File("closes.csv"), "venue,base,quote,date,close\nbinance,BTC,USDT,2025-03-20,84223.39\n" +
            $"binance,BTC,USDT,2025-03-14,{MarketFixture.Close("binance", "BTC", "USDT", "2025-03-14")}\n");

        var import = await CalcCli.RunAsync("import", "closes", "--in", temp.File("closes.csv"), "--csv", "--api-key", "s3cret-key-2025", "--server", Address);
        var quote = await CalcCli.RunAsync("quote", "BTC", "2025-03-20", "--venue", "binance", "--currency", "USDT", "--csv", "--api-key", "s3cret-key-2025", "--server", Address);

        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Equal(["field,value", "added,1", "unchanged,1", "replaced,0", "rejected,0"], import.OutLines);
        Assert.Equal(0, quote.ExitCode);
        Assert.Contains(",binance,BTC/USDT,84223.39,2025-03-20,", quote.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportCloses_ConflictingValue_RejectedWithItsLineAndExitCode1()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("closes.csv"), "venue;base;quote;date;close\nbinance;BTC;USDT;2025-03-21;84088,79\nbinance;BTC;USDT;14.03.2025;1,5\n");

        var result = await CalcCli.RunAsync("import", "closes", "--in", temp.File("closes.csv"), "--api-key", "s3cret-key-2025", "--server", Address);

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        Assert.Contains("│ added     │     1 │", result.Out, StringComparison.Ordinal);
        Assert.Contains("│    3 │ ALREADY_EXISTS │ CONFLICTING_VALUE │", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportRates_NoKey_Unauthenticated()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("rates.csv"), "date,char_code,nominal,value\n2025-03-21,USD,1,84.3955\n");

        var result = await CalcCli.RunAsync("import", "rates", "--in", temp.File("rates.csv"), "--server", Address);

        Assert.Equal(ExitCodes.CallFailed, result.ExitCode);
        Assert.StartsWith("calc: UNAUTHENTICATED: ", result.Error, StringComparison.Ordinal);
    }
}
