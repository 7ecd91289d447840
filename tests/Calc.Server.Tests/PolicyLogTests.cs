using Calc.Server.Tests.Infrastructure;

namespace Calc.Server.Tests;

/// <summary>
/// tax-rules §11: the open questions are explicit, logged choices. The server writes its defaults once at
/// startup, and a configured default shows up there as configured.
/// </summary>
public sealed class PolicyLogTests
{
    [Fact]
    public async Task Startup_LogsThePolicyDefaultsOfEveryOpenQuestion()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Valuation__DefaultUsdtPolicy"] = "Reject",
            ["Valuation__DefaultTimeZone"] = "Asia/Yekaterinburg",
        });

        // logged during startup; the logger and the pipe are asynchronous, so it may arrive after /alive
        string output = await server.WaitForOutputAsync("Tax policies in force", TimeSpan.FromSeconds(60));

        string line = output.Split('\n').Single(l => l.Contains("Tax policies in force", StringComparison.Ordinal));
        Assert.Contains("\"EventId\":120", line, StringComparison.Ordinal);
        Assert.Contains("Q1 income-date zone default Asia/Yekaterinburg", line, StringComparison.Ordinal);
        Assert.Contains("Q2 USDT closes default Reject", line, StringComparison.Ordinal);
        Assert.Contains("rules sha256:", line, StringComparison.Ordinal);
        foreach (string question in new[] { "Q3 ", "Q4 ", "Q5 ", "Q6 ", "Q7 ", "Q8", "Q9 ", "Q10" })
        {
            Assert.Contains(question, line, StringComparison.Ordinal);
        }
    }
}
