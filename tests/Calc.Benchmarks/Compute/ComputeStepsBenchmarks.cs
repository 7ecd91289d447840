using System.Globalization;
using BenchmarkDotNet.Attributes;
using Calc.Domain.Income;
using Calc.Domain.Money;
using Calc.Domain.Quotes;

namespace Calc.Benchmarks.Compute;

/// <summary>
/// The per-receipt steps of income recognition, each as it was (per-receipt form) beside its batch form, on
/// the same 10,000 receipts (a month, two assets, 8-decimal payouts): income date, amount parse, valuation,
/// monthly totals. Per receipt (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ComputeStepsBenchmarks
{
    private const int Receipts = 10_000;

    private readonly DateTimeOffset[] _instants = new DateTimeOffset[Receipts];
    private readonly string[] _amountTexts = new string[Receipts];
    private readonly MiningReceipt[] _receipts = new MiningReceipt[Receipts];
    private readonly DailyClose[] _closes = new DailyClose[31];
    private readonly CbrRate[] _rates = new CbrRate[31];
    private readonly DayPricing[] _days = new DayPricing[31];
    private readonly ValuationPolicy _policy = new(TimeZoneInfo.FindSystemTimeZoneById(IncomeDate.DefaultZoneId), UsdtPolicy.TreatAsUsd);

    [GlobalSetup]
    public void Setup()
    {
        var pair = new AssetPair("BTC", "USDT");
        for (int d = 0; d < 31; d++)
        {
            var date = new DateOnly(2025, 8, 1).AddDays(d);
            _closes[d] = new DailyClose("binance", pair, date, 115_000.12m + (d * 123.45m), true);
            _rates[d] = new CbrRate("USD", date, 1, 79.7606m + (d * 0.0101m));
            _days[d] = IncomeRecognizer.PriceDay("BTC", date, _closes[d], _rates[d], _policy).Value;
        }

        for (int i = 0; i < Receipts; i++)
        {
            _instants[i] = new DateTimeOffset(2025, 8, 1 + (i % 31), 9, 0, 0, TimeSpan.Zero).AddSeconds(i % 3600);
            _amountTexts[i] = (0.0001m + (i % 100_000 / 100_000_000m)).ToString("0.00000000", CultureInfo.InvariantCulture);
            _receipts[i] = new MiningReceipt("r" + i, _instants[i], "BTC", decimal.Parse(_amountTexts[i], CultureInfo.InvariantCulture));
        }
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int Date_ZonePerInstant()
    {
        int sum = 0;
        foreach (var t in _instants)
        {
            sum += IncomeDate.Of(t, _policy.Zone).DayNumber;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int Date_SessionCache()
    {
        var cache = new IncomeDateCache(_policy.Zone);
        int sum = 0;
        foreach (var t in _instants)
        {
            sum += cache.Of(t).DayNumber;
        }

        return sum;
    }

    /// <summary>The former parser: strict scan, then the BCL's general number parser.</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public decimal Parse_Bcl()
    {
        decimal sum = 0m;
        foreach (string s in _amountTexts)
        {
            decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal v);
            sum += v;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public decimal Parse_DecimalText()
    {
        decimal sum = 0m;
        foreach (string s in _amountTexts)
        {
            DecimalText.TryParse(s, out decimal v);
            sum += v;
        }

        return sum;
    }

    /// <summary>The whole rule per receipt (zone lookup, every check of close and rate, product) and totals by (month, asset) key.</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public int Value_RecognizePerReceipt()
    {
        var totals = new MonthlyTotalsBuilder();
        foreach (ref readonly var r in _receipts.AsSpan())
        {
            int day = IncomeDate.Of(r.ReceivedAt, _policy.Zone).Day - 1;
            totals.Add(IncomeRecognizer.Recognize(r, _closes[day], _rates[day], _policy).Value);
        }

        return totals.GetHashCode();
    }

    /// <summary>The batch form: the day checked once, per receipt the amount check, the product and a slot add.</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public int Value_DayPricingAndSlot()
    {
        var totals = new MonthlyTotalsBuilder();
        int slot = totals.Slot(2025, 8, "BTC");
        foreach (ref readonly var r in _receipts.AsSpan())
        {
            int day = r.ReceivedAt.Day - 1;
            if (IncomeRecognizer.CheckAmount(r.Amount) is null)
            {
                totals.Add(slot, r.Amount, IncomeRecognizer.ValueRub(r.Amount, _days[day]).Value);
            }
        }

        return totals.GetHashCode();
    }
}
