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

    // Real figures (workspace data): Coinbase BTC-USD daily closes of March 2025, and the CBR USD rates that took
    // effect on each date listed (the rate in force on a day is the last one taking effect on or before it).
    private static readonly decimal[] MarchCloses =
    [
        86018.76m, 94265.48m, 86161.1m, 87249.96m, 90603.73m, 89921.85m, 86756.98m, 86206.69m, 80699.17m, 78544.71m,
        82914.51m, 83659.43m, 81073.43m, 83980.49m, 84351.46m, 82562.57m, 84011.4m, 82698.76m, 86877.96m, 84183.42m,
        84061.96m, 83852.03m, 86092.94m, 87523.62m, 87427.88m, 86926.01m, 87217.48m, 84381.8m, 82616.83m, 82379.98m,
        82534.32m,
    ];

    private static readonly (int Day, decimal Rate)[] MarchRateChanges =
    [
        (1, 88.2568m), (4, 89.2497m), (5, 89.2448m), (6, 89.7878m), (7, 89.5724m), (8, 89.1362m), (11, 88.3872m),
        (12, 86.5669m), (13, 86.6204m), (14, 86.6190m), (15, 85.5694m), (18, 84.3059m), (19, 81.5018m),
        (20, 82.8487m), (21, 84.3955m), (22, 84.6400m), (25, 83.8737m), (26, 84.1930m), (27, 84.2065m),
        (28, 83.8347m), (29, 83.6813m),
    ];

    [GlobalSetup]
    public void Setup()
    {
        var pair = new AssetPair("BTC", "USD");
        int change = 0;
        for (int d = 0; d < 31; d++)
        {
            var date = new DateOnly(2025, 3, 1).AddDays(d);
            while (change + 1 < MarchRateChanges.Length && MarchRateChanges[change + 1].Day <= d + 1)
            {
                change++;
            }

            _closes[d] = new DailyClose("coinbase", pair, date, MarchCloses[d], true);
            _rates[d] = new CbrRate("USD", new DateOnly(2025, 3, MarchRateChanges[change].Day), 1, MarchRateChanges[change].Rate);
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
