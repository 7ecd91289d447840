using BenchmarkDotNet.Attributes;
using Calc.Domain.Income;
using Calc.Domain.Quotes;

namespace Calc.Benchmarks.Domain;

/// <summary>
/// Income recognition of receipts spread over a month (per-receipt figure: OperationsPerInvoke), in-process,
/// single thread: income date in Europe/Moscow, close of that day, CBR rate, RUB value, monthly totals.
/// </summary>
[MemoryDiagnoser]
public class IncomeRecognitionBenchmarks
{
    private const int Receipts = 10_000;

    private readonly MiningReceipt[] _receipts = new MiningReceipt[Receipts];
    private readonly DailyClose[] _closes = new DailyClose[31];
    private readonly CbrRate[] _rates = new CbrRate[31];
    private readonly ValuationPolicy _policy = new(TimeZoneInfo.FindSystemTimeZoneById(IncomeDate.DefaultZoneId));

    [GlobalSetup]
    public void Setup()
    {
        var pair = new AssetPair("BTC", "USD");
        for (int d = 0; d < 31; d++)
        {
            var date = new DateOnly(2025, 3, 1).AddDays(d);
            _closes[d] = new DailyClose("coinbase", pair, date, 80_000m + (d * 123.45m), true);
            _rates[d] = new CbrRate("USD", date, 1, 85.1234m + (d * 0.01m));
        }

        var start = new DateTimeOffset(2025, 2, 28, 21, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < Receipts; i++)
        {
            _receipts[i] = new MiningReceipt("r" + i, start.AddSeconds(i * 267.0), "BTC", 0.00012345m + (i % 97 * 0.00000001m));
        }
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public decimal Recognize()
    {
        decimal sum = 0m;
        foreach (ref readonly var r in _receipts.AsSpan())
        {
            int day = IncomeDate.Of(r.ReceivedAt, _policy.Zone).Day - 1;
            var result = IncomeRecognizer.Recognize(r, _closes[day], _rates[day], _policy);
            sum += result.Value.IncomeRub;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int RecognizeAndTotal()
    {
        var totals = new MonthlyTotalsBuilder();
        foreach (ref readonly var r in _receipts.AsSpan())
        {
            int day = IncomeDate.Of(r.ReceivedAt, _policy.Zone).Day - 1;
            totals.Add(IncomeRecognizer.Recognize(r, _closes[day], _rates[day], _policy).Value);
        }

        return totals.GetHashCode();
    }
}
