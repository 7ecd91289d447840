using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

[Collection(ServerCollection.Name)]
public class RatesCommandTests(ServerFixture server)
{
    private static readonly string[] Days = ["2025-03-08", "2025-03-09", "2025-03-10", "2025-03-11", "2025-03-12"];

    [Fact]
    public async Task Rates_Csv_OneRowPerCalendarDayWithTheRateInForce()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-08", "--to", "2025-03-12", "--csv", "--server", server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("currency,date,effective_date,nominal,value,unit_rate,is_final,source", result.OutLines[0]);
        var expected = Days.Select(d => MarketFixture.RateInForce("USD", d) is var (effective, value)
            ? $"USD,{d},{effective},1,{value},{value},true,import" : "").ToArray();
        Assert.Equal(expected, result.OutLines[1..]);
    }

    [Fact]
    public async Task Rates_OneC_SemicolonsDecimalCommaAndDayFirstDates()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "09.03.2025", "--to", "2025-03-09", "--1c", "--server", server.Address);

        var (effective, value) = MarketFixture.RateInForce("USD", "2025-03-09");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"USD;09.03.2025;{effective[8..]}.{effective[5..7]}.{effective[..4]};1;{value.Replace('.', ',')};{value.Replace('.', ',')};true;import",
            result.OutLines[1]);
    }

    [Fact]
    public async Task Rates_Json_IsTheProtoJsonOfTheResponse()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-01-05", "--json", "--server", server.Address);

        var (effective, value) = MarketFixture.RateInForce("USD", "2025-01-05");
        Assert.Equal(0, result.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var rate = json.RootElement.GetProperty("rates")[0];
        Assert.Equal("2024-12-29", effective); // the New-Year holidays: the last rate set before them
        Assert.Equal(effective, rate.GetProperty("effective_date").GetString());
        Assert.Equal(value, rate.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Rates_Table_ShowsEveryDay()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2025-03-08", "--to", "2025-03-12", "--server", server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.All(Days, d => Assert.Contains(d, result.Out, StringComparison.Ordinal));
        Assert.Contains("│ USD      │ 2025-03-09 │ 2025-03-08     │", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rates_Embedded_GivesTheSameCsvAsTheServer()
    {
        var remote = await CalcCli.RunAsync("rates", "USD", "--from", "2024-12-28", "--to", "2025-01-12", "--csv", "--server", server.Address);

        var embedded = await CalcCli.RunAsync("rates", "USD", "--from", "2024-12-28", "--to", "2025-01-12", "--csv", "--embedded", "--data", Fixtures.Market);

        Assert.Equal(0, embedded.ExitCode);
        Assert.Equal(17, embedded.OutLines.Length); // header + 16 calendar days
        Assert.Equal(remote.Out, embedded.Out);
    }

    [Fact]
    public async Task Rates_DaysBeforeTheData_AreListedAsMissingWithExitCode1()
    {
        var result = await CalcCli.RunAsync("rates", "USD", "--from", "2024-12-26", "--to", "2024-12-28", "--csv", "--server", server.Address);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, result.OutLines.Length); // header + 27th + 28th
        Assert.Contains("calc: 1 day(s) have no known rate", result.Error, StringComparison.Ordinal);
    }
}
