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
}
