using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

/// <summary>
/// The monthly report's detail lines: written by <c>income recognize --report-detail</c> from the server's
/// answer, and rebuilt without the server by <c>income report</c> from the income.csv alone.
/// </summary>
[Collection(ServerCollection.Name)]
public class IncomeReportTests(ServerFixture server)
{
    private Task<CliResult> Recognize(string input, TempFolder temp) =>
        CalcCli.RunAsync("income", "recognize", "--in", input, "--out", temp.File("income.csv"), "--report", temp.File("monthly.csv"),
            "--report-detail", temp.File("detail.csv"), "--venue", "binance", "--currency", "USDT", "--usdt-policy", "usd", "--quiet", "--server", server.Address);

    [Fact]
    public async Task Recognize_ReportDetail_OneLinePerMonthAssetPoolWithTheTxIds()
    {
        using var temp = Fixtures.Temp();

        var result = await Recognize(Fixtures.Receipts("iso-utf8.csv"), temp);

        Assert.True(result.ExitCode == 0, result.Error);
        var income = IncomeCommandTests.ReadCsv(temp.File("income.csv"));
        var detail = IncomeCommandTests.ReadCsv(temp.File("detail.csv"));
        // the fixture names a pool on every receipt: kept on the pool, identifier the pool
        Assert.Equal([("BTC", "kept_on_pool", "ViaBTC"), ("ETH", "kept_on_pool", "F2Pool")], detail.Select(d => (d["asset"], d["operation_type"], d["identifier"])));
        var btc = detail[0];
        Assert.Equal(("2025", "3", "3", "9f2c1a 9f2c1b 9f2c1c", "3", "false", "2025-04-21"),
            (btc["year"], btc["month"], btc["receipt_count"], btc["tx_ids"], btc["tx_id_count"], btc["tx_ids_truncated"], btc["report_due_date"]));
        foreach (var line in detail)
        {
            var rows = income.Where(r => r["asset"] == line["asset"]).ToList();
            Assert.Equal(rows.Sum(r => MarketFixture.Parse(r["income_rub"])), MarketFixture.Parse(line["income_rub"]));
            Assert.Equal(rows.Sum(r => MarketFixture.Parse(r["amount"])), MarketFixture.Parse(line["amount"]));
            Assert.All(rows, r => Assert.Equal((line["operation_type"], line["identifier"]), (r["operation_type"], r["identifier"])));
        }
    }

    [Fact]
    public async Task Report_FromTheIncomeFile_RebuildsTheSameFilesWithoutTheServer()
    {
        using var temp = Fixtures.Temp();
        var recognized = await Recognize(Fixtures.Receipts("iso-utf8.csv"), temp);
        Assert.True(recognized.ExitCode == 0, recognized.Error);

        // no --server: the command must not need one
        var result = await CalcCli.RunAsync("income", "report", "--in", temp.File("income.csv"), "--report", temp.File("monthly2.csv"), "--detail", temp.File("detail2.csv"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(File.ReadAllText(temp.File("monthly.csv")), File.ReadAllText(temp.File("monthly2.csv")));
        Assert.Equal(File.ReadAllText(temp.File("detail.csv")), File.ReadAllText(temp.File("detail2.csv")));
    }

    [Fact]
    public async Task Recognize_StatedOperationType_OverridesThePoolRuleAndBadValuesAreRowErrors()
    {
        using var temp = Fixtures.Temp();
        string input = temp.File("receipts.csv");
        await File.WriteAllTextAsync(input, """
            id,received_at,asset,amount,wallet_address,tx_id,pool,operation_type
            W1,2025-03-14T09:15:00+03:00,BTC,0.001,bc1qminer0001,aa01,ViaBTC,wallet
            W2,2025-03-15T09:15:00+03:00,BTC,0.002,bc1qminer0001,aa02,ViaBTC,кошелёк
            P1,2025-03-16T09:15:00+03:00,BTC,0.004,bc1qminer0001,aa03,ViaBTC,
            X1,2025-03-17T09:15:00+03:00,BTC,0.008,bc1qminer0001,aa04,ViaBTC,exchange

            """.Replace("\r", "", StringComparison.Ordinal));

        var result = await Recognize(input, temp);

        Assert.Equal(1, result.ExitCode); // one row failed
        var income = IncomeCommandTests.ReadCsv(temp.File("income.csv"));
        var bad = Assert.Single(income, r => r["status"] == "error");
        Assert.Equal(("X1", "INVALID_ENUM"), (bad["receipt_id"], bad["error_reason"]));
        var detail = IncomeCommandTests.ReadCsv(temp.File("detail.csv"));
        Assert.Equal([("credited_to_wallet", "bc1qminer0001", "2", "aa01 aa02"), ("kept_on_pool", "ViaBTC", "1", "aa03")],
            detail.Select(d => (d["operation_type"], d["identifier"], d["receipt_count"], d["tx_ids"])));
    }

    [Fact]
    public async Task Report_FromAnInterruptedRun_IsRefused()
    {
        using var temp = Fixtures.Temp();
        string income = temp.File("income.csv");
        await File.WriteAllTextAsync(income, string.Join('\n',
            "receipt_id,status,income_date,asset,amount,income_rub,venue,pair,close,close_date,cbr_rate,cbr_nominal,cbr_effective_date,error_code,error_reason,error_message,source_line,operation_type,identifier,wallet_address,pool,tx_id",
            "R1,ok,2025-03-14,BTC,0.001,800.00,binance,BTC/USDT,1,2025-03-14,1,1,2025-03-14,,,,2,kept_on_pool,ViaBTC,,ViaBTC,t1",
            ",interrupted,,,,,,,,,,,,,INTERRUPTED,stopped,3,,,,,", ""));

        var result = await CalcCli.RunAsync("income", "report", "--in", income, "--report", temp.File("m.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("interrupted", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("m.csv")));
    }

    [Fact]
    public async Task Report_NotAnIncomeFile_SaysWhichColumnsAreMissing()
    {
        using var temp = Fixtures.Temp();

        var result = await CalcCli.RunAsync("income", "report", "--in", Fixtures.Receipts("iso-utf8.csv"), "--detail", temp.File("d.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing column(s) status", result.Error, StringComparison.Ordinal);
    }
}
