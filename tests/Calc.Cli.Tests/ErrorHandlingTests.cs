using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

public class ErrorHandlingTests
{
    [Fact]
    public async Task AnyCommand_ServerNotListening_ExitCode4WithAHint()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-08", "--server", "http://127.0.0.1:9");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("calc: cannot reach the Calc server:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recognize_FileWithoutAmountColumn_ExitCode2NamingLineAndColumn()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("r.csv"), "id;Дата;Монета\nR1;14.03.2025 10:00:00;BTC\n");

        var result = await CalcCli.RunAsync("income", "recognize", "--in", temp.File("r.csv"), "--out", temp.File("o.csv"), "--server", "http://127.0.0.1:9");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("calc: r.csv:1: missing column(s) amount (header names: amount, quantity", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recognize_EmptyFile_ExitCode2()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("r.csv"), "");

        var result = await CalcCli.RunAsync("income", "recognize", "--in", temp.File("r.csv"), "--out", temp.File("o.csv"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("calc: r.csv:1: the file is empty (a header row is required)\n", result.Error);
    }

    [Fact]
    public async Task Quote_BadDate_ExitCode2()
    {
        var result = await CalcCli.RunAsync("quote", "BTC", "15/08/2025", "--server", "http://127.0.0.1:9");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("calc: date '15/08/2025' is not a date (YYYY-MM-DD or dd.MM.yyyy)\n", result.Error);
    }

    [Fact]
    public async Task Options_JsonAndCsvTogether_ExitCode2()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-08", "--json", "--csv", "--server", "http://127.0.0.1:9");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("calc: --json and --csv exclude each other\n", result.Error);
    }
}
