using System.Diagnostics;
using System.Globalization;
using Calc.Cli.Commands;
using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

[Collection(ServerCollection.Name)]
public class InterruptTests(ServerFixture server)
{
    [Theory]
    [InlineData("--server")]
    [InlineData("--embedded")]
    public async Task Recognize_CtrlC_KeepsTheRowsWrittenMarksTheOutputAndExits130(string mode)
    {
        using var temp = Fixtures.Temp();
        DevCommands.Generate(temp.File("big.csv"), 400_000, new DateOnly(2025, 3, 14), new DateOnly(2025, 3, 18), ["BTC", "ETH"], false, 7, CancellationToken.None);
        string output = temp.File("income.csv");
        string[] target = mode == "--embedded" ? ["--embedded", "--data", Fixtures.Market] : ["--server", server.Address];
        using var process = CalcCli.Start(["income", "recognize", "--in", temp.File("big.csv"), "--out", output,
            "--venue", "binance", "--currency", "USDT", "--usdt-policy", "usd", .. target]);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while ((!File.Exists(output) || new FileInfo(output).Length == 0) && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(10);
        }

        if (process.HasExited)
        {
            Assert.Fail("the run finished before it could be interrupted: " + await stderr);
        }

        Assert.Equal(0, SendSignal(process.Id, 2)); // SIGINT, what Ctrl-C sends

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(wait.Token);
        await stdout;

        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        var rows = IncomeCommandTests.ReadCsv(output);
        var marker = rows[^1];
        var written = rows[..^1];
        Assert.NotEmpty(written);
        Assert.True(written.Count < 400_000);
        Assert.Equal("interrupted", marker["status"]);
        Assert.Equal((written.Count + 2).ToString(CultureInfo.InvariantCulture), marker["source_line"]);
        Assert.All(written.Select((r, i) => (r, i)), x =>
        {
            Assert.Equal("R" + (x.i + 1).ToString("D7", CultureInfo.InvariantCulture), x.r["receipt_id"]);
            Assert.Equal("ok", x.r["status"]);
        });
        Assert.Contains("calc: interrupted (Ctrl-C or SIGTERM) after", await stderr, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
