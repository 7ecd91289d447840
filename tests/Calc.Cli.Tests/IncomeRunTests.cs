using System.Text;
using Calc.Cli.Csv;
using Calc.Cli.Income;
using Calc.Cli.Output;
using Calc.Cli.Tests.Infrastructure;
using Calc.V1;

namespace Calc.Cli.Tests;

public class IncomeRunTests
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    [Fact]
    public async Task RunAsync_BadRowsBetweenGoodOnes_WritesEveryRowInFileOrder()
    {
        using var temp = Fixtures.Temp();
        var fake = new FakeIncomeService();

        var (result, lines) = await Run(Fixtures.Receipts("bad-rows.csv"), temp, fake, new IncomeRunLimits(ChunkSize: 2, RowBuffer: 2, PendingLimit: 100));

        Assert.Equal(["B1,ok", "B2,error", "B3,error", "B4,error", "B5,error", "B6,ok", "B7,error", "B8,ok", "B9,ok"],
            lines.Skip(1).Select(l => string.Join(',', l.Split(',')[..2])));
        Assert.Equal(9, result.RowsWritten);
        Assert.Equal(4, result.Recognized);
        Assert.Equal(5, result.Failed);
        Assert.Equal([2, 2, 1], fake.ChunkSizes); // 5 sendable rows in chunks of at most 2
        Assert.Equal("B5,error,,XYZ,5,,,,,,,,,INVALID_ARGUMENT,UNKNOWN_ASSET,no such asset,6,,,,,", lines[5]);
        Assert.Equal("B3,error,,BTC,\"1,2.3\",,,,,,,,,INVALID_ARGUMENT,INVALID_DECIMAL,\"amount '1,2.3' is not a decimal number\",4,,,,,", lines[3]);
        Assert.Null(result.StoppedAs);
        Assert.Equal("Europe/Moscow", fake.Policy!.TimeZone);
    }

    [Fact]
    public async Task RunAsync_Results_CarryTheirStreamWideProvenance()
    {
        using var temp = Fixtures.Temp();

        var (_, lines) = await Run(Fixtures.Receipts("iso-utf8.csv"), temp, new FakeIncomeService(), new IncomeRunLimits(ChunkSize: 2));

        // chunk 3 (R5) references provenance index 2, sent with that chunk
        Assert.Equal("R5,ok,2025-03-18,BTC,0.002,200.00,fake,X/USD,2,2025-03-03,100.0000,1,,,,,6,kept_on_pool,ViaBTC,bc1qminer0001,ViaBTC,9f2c1c", lines[5]);
        Assert.Equal("R1,ok,2025-03-14,BTC,0.00512345,200.00,fake,X/USD,2,2025-03-01,100.0000,1,,,,,2,kept_on_pool,ViaBTC,bc1qminer0001,ViaBTC,9f2c1a", lines[1]);
    }

    [Fact]
    public async Task RunAsync_MoreFailedRowsThanThePendingLimit_DoesNotStall()
    {
        using var temp = Fixtures.Temp();
        var csv = new StringBuilder("id,received_at,asset,amount\n");
        csv.Append("G0,2025-03-14T10:00:00Z,BTC,0.1\n");
        for (int i = 1; i <= 500; i++)
        {
            csv.Append("E").Append(i).Append(",2025-03-14T10:00:00Z,BTC,not-a-number\n");
        }

        csv.Append("G1,2025-03-14T10:00:00Z,BTC,0.2\n");
        File.WriteAllText(temp.File("in.csv"), csv.ToString());

        var run = Run(temp.File("in.csv"), temp, new FakeIncomeService(), new IncomeRunLimits(ChunkSize: 100, RowBuffer: 5, PendingLimit: 10));
        var (result, lines) = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(502, result.RowsWritten);
        Assert.Equal(2, result.Recognized);
        Assert.StartsWith("G1,ok,", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Cancelled_FlushesWrittenRowsAndAppendsAnInterruptedMarker()
    {
        using var temp = Fixtures.Temp();
        var fake = new FakeIncomeService { HangAfterChunks = 2 };
        using var cancel = new CancellationTokenSource();
        _ = fake.Hanging.Task.ContinueWith(_ => cancel.CancelAfter(100), TaskScheduler.Default);

        var (result, lines) = await Run(Fixtures.Receipts("iso-utf8.csv"), temp, fake, new IncomeRunLimits(ChunkSize: 2), cancel.Token);

        Assert.Equal("interrupted", result.StoppedAs);
        Assert.Equal(4, result.RowsWritten);
        Assert.Equal(["R1", "R2", "R3", "R4"], lines.Skip(1).Take(4).Select(l => l.Split(',')[0]));
        Assert.Equal(",interrupted,,,,,,,,,,,,,INTERRUPTED,interrupted (Ctrl-C or SIGTERM) after 4 rows; rows after line 5 were not processed,6,,,,,", lines[5]);
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task RunAsync_ServerAnswersAnotherReceipt_AbortsWithAMarker()
    {
        using var temp = Fixtures.Temp();

        var (result, lines) = await Run(Fixtures.Receipts("iso-utf8.csv"), temp, new FakeIncomeService { WrongIdForFirst = "R9" }, new IncomeRunLimits());

        Assert.Equal("aborted", result.StoppedAs);
        Assert.Equal(0, result.RowsWritten);
        Assert.Contains("the server answered receipt 'R9' where 'R1' (line 2) was expected", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OneCDialect_WritesSemicolonsAndDecimalCommas()
    {
        using var temp = Fixtures.Temp();

        var (_, lines) = await Run(Fixtures.Receipts("iso-utf8.csv"), temp, new FakeIncomeService(), new IncomeRunLimits(), dialect: CsvDialect.OneC);

        Assert.Equal("R1;ok;14.03.2025;BTC;0,00512345;200,00;fake;X/USD;2;01.03.2025;100,0000;1;;;;;2;kept_on_pool;ViaBTC;bc1qminer0001;ViaBTC;9f2c1a", lines[1]);
    }

    private static async Task<(IncomeRunResult Result, string[] Lines)> Run(string input, TempFolder temp, FakeIncomeService fake, IncomeRunLimits limits,
        CancellationToken cancellationToken = default, CsvDialect? dialect = null)
    {
        using var csv = CsvFile.Open(input, CsvReadOptions.Auto);
        var header = new List<string>();
        csv.TryRead(header, out _, out _);
        var parser = new ReceiptParser(ReceiptColumns.Map(header, "in.csv"), Moscow) { HeaderWidth = header.Count };
        string output = temp.File("out.csv");
        IncomeRunResult result;
        using (var writer = new IncomeCsvWriter(File.Create(output), dialect ?? CsvDialect.Invariant))
        {
            var run = new IncomeRun(csv, parser, writer, new RunProgress(csv.Length), limits);
            result = await run.RunAsync(new ValuationPolicy { TimeZone = "Europe/Moscow" }, fake.Call, cancellationToken);
        }

        string text = await File.ReadAllTextAsync(output, CancellationToken.None);
        return (result, text.TrimEnd('\n').Split('\n'));
    }
}
