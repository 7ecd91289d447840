using Calc.Domain.Income;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Income;

public sealed class MonthlyReportTests
{
    [Theory]
    [InlineData(MiningOperation.Unspecified, "ViaBTC", "bc1qa", MiningOperation.KeptOnPool, "ViaBTC")]
    [InlineData(MiningOperation.Unspecified, null, "bc1qa", MiningOperation.CreditedToWallet, "bc1qa")]
    [InlineData(MiningOperation.Unspecified, "", "bc1qa", MiningOperation.CreditedToWallet, "bc1qa")]
    [InlineData(MiningOperation.CreditedToWallet, "ViaBTC", "bc1qa", MiningOperation.CreditedToWallet, "bc1qa")]
    [InlineData(MiningOperation.KeptOnPool, null, "bc1qa", MiningOperation.KeptOnPool, "bc1qa")]
    [InlineData(MiningOperation.Unspecified, null, null, MiningOperation.CreditedToWallet, "")]
    public void Operation_PoolNamedMeansKeptOnPoolUnlessStated(MiningOperation stated, string? pool, string? wallet, MiningOperation expected, string identifier)
    {
        var operation = MiningOperations.Of(stated, pool);

        Assert.Equal(expected, operation);
        Assert.Equal(identifier, MiningOperations.Identifier(operation, wallet, pool));
    }

    [Fact]
    public void Build_ReceiptsOfTwoMonthsAndAddresses_OneLinePerMonthAssetOperationIdentifier()
    {
        var march = new DateOnly(2025, 3, 10);
        var lines = MonthlyReportBuilder.Aggregate(
        [
            (march, "BTC", MiningOperation.KeptOnPool, "ViaBTC", 0.001m, 8000.10m, "t1"),
            (march.AddDays(5), "BTC", MiningOperation.KeptOnPool, "ViaBTC", 0.002m, 16000.20m, "t2"),
            (march, "BTC", MiningOperation.CreditedToWallet, "bc1qa", 0.5m, 4_000_000m, null),
            (new DateOnly(2025, 4, 1), "BTC", MiningOperation.KeptOnPool, "ViaBTC", 0.003m, 24000.30m, "t3"),
        ], TestRules.Embedded.Calendar);

        Assert.Equal(3, lines.Count);
        Assert.Equal((2025, 3, "BTC", MiningOperation.CreditedToWallet, "bc1qa"), (lines[0].Year, lines[0].Month, lines[0].Asset, lines[0].Operation, lines[0].Identifier));
        var pool = lines[1];
        Assert.Equal((MiningOperation.KeptOnPool, "ViaBTC", 0.003m, 2, 24000.30m), (pool.Operation, pool.Identifier, pool.Amount, pool.ReceiptCount, pool.IncomeRub));
        Assert.Equal(["t1", "t2"], pool.TxIds);
        Assert.Equal((2, false), (pool.TxIdCount, pool.TxIdsTruncated));
        // report for March 2025 due Monday 21 April (the 20th is a Sunday)
        Assert.Equal(new DateOnly(2025, 4, 21), pool.ReportDueDate);
        Assert.Equal((0, false), (lines[0].TxIdCount, lines[0].TxIdsTruncated));
        Assert.Equal(4, lines[2].Month);
    }

    [Fact]
    public void Add_MoreTxIdsThanTheLineBound_ListsTheFirstThousandAndCountsAll()
    {
        var builder = new MonthlyReportBuilder();
        int slot = builder.Slot(2025, 3, "BTC", MiningOperation.KeptOnPool, "ViaBTC");
        for (int i = 0; i < MonthlyReportBuilder.MaxTxIdsPerLine + 5; i++)
        {
            builder.Add(slot, 0.0001m, 1m, "tx" + i);
        }

        var line = Assert.Single(builder.Build(TestRules.Embedded.Calendar));

        Assert.Equal(MonthlyReportBuilder.MaxTxIdsPerLine, line.TxIds.Count);
        Assert.Equal("tx0", line.TxIds[0]);
        Assert.Equal(MonthlyReportBuilder.MaxTxIdsPerLine + 5, line.TxIdCount);
        Assert.True(line.TxIdsTruncated);
        Assert.Equal(MonthlyReportBuilder.MaxTxIdsPerLine + 5, line.ReceiptCount);
    }

    [Fact]
    public void Slot_PastTheLineBound_LeavesTheReceiptOutAndSaysSo()
    {
        var builder = new MonthlyReportBuilder();
        for (int i = 0; i < MonthlyReportBuilder.MaxLines; i++)
        {
            builder.Add(builder.Slot(2025, 3, "BTC", MiningOperation.CreditedToWallet, "w" + i), 1m, 1m, null);
        }

        Assert.False(builder.Incomplete);
        int again = builder.Slot(2025, 3, "BTC", MiningOperation.CreditedToWallet, "w7");
        int extra = builder.Slot(2025, 3, "BTC", MiningOperation.CreditedToWallet, "one-too-many");
        builder.Add(extra, 1m, 1m, "t");

        Assert.True(again >= 0);
        Assert.Equal(-1, extra);
        Assert.True(builder.Incomplete);
        Assert.Equal(MonthlyReportBuilder.MaxLines, builder.Build(TestRules.Embedded.Calendar).Count);
    }
}
