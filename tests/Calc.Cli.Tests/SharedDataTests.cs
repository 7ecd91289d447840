using System.Text.Json;
using Calc.Cli.Tests.Infrastructure;
using Calc.Tests.Shared;

namespace Calc.Cli.Tests;

/// <summary>The issue's own example, against the workspace's full market data (skipped without it).</summary>
public class SharedDataTests
{
    [SharedDataFact]
    public async Task Quote_IssueExample_UsesTheSharedCloseAndRateRows()
    {
        var result = await CalcCli.RunAsync("quote", "BTC", "2025-08-15", "--venue", "binance", "--currency", "USDT", "--json",
            "--embedded", "--data", SharedData.PathOf(""));

        Assert.True(result.ExitCode == 0, result.Error);
        string close = File.ReadLines(SharedData.PathOf("closes.csv")).Single(l => l.StartsWith("binance,BTC,USDT,2025-08-15,", StringComparison.Ordinal)).Split(',')[4];
        var rate = File.ReadLines(SharedData.PathOf("cbr-rates.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[1] == "USD" && string.CompareOrdinal(f[0], "2025-08-15") <= 0).MaxBy(f => f[0])!;
        var root = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(close, root.GetProperty("provenance").GetProperty("close").GetString());
        Assert.Equal(rate[0], root.GetProperty("provenance").GetProperty("cbr_effective_date").GetString());
        Assert.Equal(MarketFixture.Parse(close) * MarketFixture.Parse(rate[3]), MarketFixture.Parse(root.GetProperty("price_rub").GetString()!));
    }
}
