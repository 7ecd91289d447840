extern alias benchmarks;

using System.Globalization;
using benchmarks::Calc.Benchmarks.Api;
using Calc.V1;

namespace Calc.LoadTests.Smoke;

/// <summary>
/// Scenario 6, the in-process ceiling, run once without BenchmarkDotNet: the benchmark's own [GlobalSetup]
/// and its decode + compute + encode method, so CI compiles and exercises the very path the ceiling measures.
/// Checks the answer on the wire, never timings.
/// </summary>
public sealed class CeilingSmokeTests
{
    private const int Receipts = 10_000;

    [Fact]
    public void DecodeComputeEncode_OnceWithoutBenchmarkDotNet_Answers10000ReceiptsWithoutErrors()
    {
        // Arrange: imports the data, builds the 10,000-receipt batch, checks the codec against the generated messages
        var benchmark = new IncomeBatchCeilingBenchmarks();
        benchmark.Setup();

        // Act
        int size = benchmark.DecodeComputeEncode();

        // Assert: the encoded response parses and answers every receipt, once, in order, with an income
        var bytes = benchmark.LastEncoded;
        Assert.True(size > 0, "nothing was encoded");
        Assert.Equal(size, bytes.Length);
        var response = RecognizeIncomeResponse.Parser.ParseFrom(bytes.ToArray());
        Assert.Equal(Receipts, response.Results.Count);
        Assert.Equal(0, response.Results.Count(r => r.ResultCase != IncomeResult.ResultOneofCase.Income));
        Assert.Equal(Receipts, response.Results.Select(r => r.ReceiptId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(response.Results, r => Assert.True(Rub(r.Income.IncomeRub) > 0m, $"{r.ReceiptId}: income {r.Income.IncomeRub}"));
        Assert.False(string.IsNullOrEmpty(response.RulesVersion));

        // the monthly totals account for every receipt and sum the receipts' incomes exactly
        Assert.NotEmpty(response.Totals);
        Assert.Equal(Receipts, response.Totals.Sum(t => t.ReceiptCount));
        Assert.Equal(response.Results.Sum(r => Rub(r.Income.IncomeRub)), response.Totals.Sum(t => Rub(t.IncomeRub)));
    }

    private static decimal Rub(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
