using System.Globalization;
using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

[Collection(ServerCollection.Name)]
public class IncomeCommandTests(ServerFixture server)
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    /// <summary>The five receipts of the dialect fixtures: id, instant, asset, amount.</summary>
    private static readonly (string Id, string ReceivedAt, string Asset, string Amount)[] Receipts =
    [
        ("R1", "2025-03-14T06:15:00Z", "BTC", "0.00512345"),
        ("R2", "2025-03-15T22:30:00Z", "BTC", "0.0125"),
        ("R3", "2025-03-16T09:00:00Z", "ETH", "0.75"),
        ("R4", "2025-03-17T20:59:59Z", "ETH", "1.5"),
        ("R5", "2025-03-18T21:00:00Z", "BTC", "0.002"),
    ];

    [Theory]
    [InlineData("iso-utf8.csv")]
    [InlineData("utf8-bom-semicolon.csv")]
    [InlineData("1c-semicolon-cp1251.csv")]
    [InlineData("comma-quoted-decimal-comma.csv")]
    public async Task Recognize_EveryExportDialect_ValuesEachReceiptFromTheImportedCloseAndRate(string file)
    {
        using var temp = Fixtures.Temp();

        var result = await Recognize(file, temp, "--server", server.Address);

        Assert.True(result.ExitCode == 0, result.Error);
        var rows = ReadCsv(temp.File("income.csv"));
        Assert.Equal(Receipts.Length, rows.Count);
        foreach (var (receipt, row) in Receipts.Zip(rows))
        {
            AssertValued(receipt, row);
        }
    }

    [Fact]
    public async Task Recognize_Report_HoldsTheMonthlyTotalsOfTheRows()
    {
        using var temp = Fixtures.Temp();

        var result = await Recognize("iso-utf8.csv", temp, "--server", server.Address);

        Assert.Equal(0, result.ExitCode);
        var income = ReadCsv(temp.File("income.csv"));
        var report = ReadCsv(temp.File("monthly.csv"));
        Assert.Equal(["BTC", "ETH"], report.Select(r => r["asset"]));
        foreach (var total in report)
        {
            var mine = income.Where(r => r["asset"] == total["asset"]).ToList();
            Assert.Equal(("2025", "3"), (total["year"], total["month"]));
            Assert.Equal(mine.Sum(r => MarketFixture.Parse(r["income_rub"])), MarketFixture.Parse(total["income_rub"]));
            Assert.Equal(mine.Sum(r => MarketFixture.Parse(r["amount"])), MarketFixture.Parse(total["amount"]));
            Assert.Equal(mine.Count.ToString(CultureInfo.InvariantCulture), total["receipt_count"]);
            Assert.Equal("2025-04-21", total["report_due_date"]); // 20 April 2025 is a Sunday
        }
    }

    [Fact]
    public async Task Recognize_Embedded_WritesTheSameFileAsTheServer()
    {
        using var temp = Fixtures.Temp();
        await Recognize("iso-utf8.csv", temp, "--server", server.Address);
        string remote = File.ReadAllText(temp.File("income.csv"));

        var result = await Recognize("iso-utf8.csv", temp, "--embedded", "--data", Fixtures.Market);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(remote, File.ReadAllText(temp.File("income.csv")));
    }

    [Fact]
    public async Task Recognize_BadRows_AreWrittenAsErrorsInPlaceAndTheExitCodeIs1()
    {
        using var temp = Fixtures.Temp();

        var result = await Recognize("bad-rows.csv", temp, "--server", server.Address);

        Assert.Equal(ExitCodes.ItemsFailed, result.ExitCode);
        var rows = ReadCsv(temp.File("income.csv"));
        Assert.Equal(["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"], rows.Select(r => r["receipt_id"]));
        Assert.Equal(["2", "3", "4", "5", "6", "7", "8", "9", "10"], rows.Select(r => r["source_line"]));
        Assert.Equal(["ok", "error", "error", "error", "error", "error", "error", "error", "ok"], rows.Select(r => r["status"]));
        Assert.Equal(["MISSING_FIELD", "INVALID_DECIMAL", "INVALID_TIMESTAMP"], rows.Skip(1).Take(3).Select(r => r["error_reason"]));
        Assert.Equal("CSV_FORMAT", rows[6]["error_reason"]);
        Assert.All([rows[4], rows[5], rows[7]], r => Assert.NotEqual("", r["error_reason"])); // the server's reasons: asset, no price, negative
        Assert.Contains("calc: line 3 (B2): MISSING_FIELD: amount is empty", result.Error, StringComparison.Ordinal);
        Assert.Contains("calc: 9 rows: 2 recognised, 7 failed;", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recognize_Json_PrintsCountsAndTheServerSummary()
    {
        using var temp = Fixtures.Temp();

        var result = await Recognize("iso-utf8.csv", temp, "--server", server.Address, "--json");

        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.Equal(5, json.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal("completed", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("5", json.RootElement.GetProperty("summary").GetProperty("receipt_count").GetString());
    }

    private static void AssertValued((string Id, string ReceivedAt, string Asset, string Amount) receipt, Dictionary<string, string> row)
    {
        var instant = DateTimeOffset.Parse(receipt.ReceivedAt, CultureInfo.InvariantCulture);
        string day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Moscow).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string close = MarketFixture.Close("binance", receipt.Asset, "USDT", day);
        var (effective, rate) = MarketFixture.RateInForce("USD", day);
        Assert.Equal(
            (receipt.Id, "ok", day, receipt.Asset, "binance", "BTC/USDT".Replace("BTC", receipt.Asset, StringComparison.Ordinal), day, effective),
            (row["receipt_id"], row["status"], row["income_date"], row["asset"], row["venue"], row["pair"], row["close_date"], row["cbr_effective_date"]));
        Assert.Equal(MarketFixture.Parse(close), MarketFixture.Parse(row["close"]));
        Assert.Equal(MarketFixture.Parse(rate), MarketFixture.Parse(row["cbr_rate"]));
        Assert.Equal(MarketFixture.Parse(receipt.Amount), MarketFixture.Parse(row["amount"]));
        Assert.Equal(MarketFixture.IncomeRub(receipt.Amount, close, rate), row["income_rub"]);
    }

    private static Task<CliResult> Recognize(string file, TempFolder temp, params string[] more) =>
        CalcCli.RunAsync(["income", "recognize", "--in", Fixtures.Receipts(file), "--out", temp.File("income.csv"), "--report", temp.File("monthly.csv"),
            "--venue", "binance", "--currency", "USDT", "--usdt-policy", "usd", "--quiet", .. more]);

    internal static List<Dictionary<string, string>> ReadCsv(string path)
    {
        using var csv = Csv.CsvFile.Open(path, Csv.CsvReadOptions.Auto);
        var header = new List<string>();
        csv.TryRead(header, out _, out _);
        var names = header.ToArray();
        var rows = new List<Dictionary<string, string>>();
        var fields = new List<string>();
        while (csv.TryRead(fields, out _, out _))
        {
            rows.Add(names.Select((n, i) => (n, v: i < fields.Count ? fields[i] : "")).ToDictionary(x => x.n, x => x.v));
        }

        return rows;
    }
}
