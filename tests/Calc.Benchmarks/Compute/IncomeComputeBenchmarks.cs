using BenchmarkDotNet.Attributes;
using Calc.Application.Imports;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Valuation;
using Calc.Domain.Income;
using Calc.Domain.Rules;
using Calc.LoadTests.Scenarios;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Benchmarks.Compute;

/// <summary>
/// The compute part of income recognition alone: the ceiling's 10,000-receipt batch (the load tests' workload,
/// binance BTC + ETH over a month) already decoded into <see cref="ReceiptInput"/>s, recognised by an
/// <see cref="IncomeSession"/> over the imported store (warm), monthly totals built — no proto mapping, no
/// transport. Per receipt (OperationsPerInvoke), so Allocated is bytes per receipt. <see cref="IncomeDates"/>
/// isolates the instant → income date step.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class IncomeComputeBenchmarks
{
    private const int Receipts = 10_000;

    private IncomeRecognition _recognition = null!;
    private PolicyInput _policy = null!;
    private ReceiptInput[] _receipts = [];
    private DateTimeOffset[] _instants = [];
    private TimeZoneInfo _zone = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = ScenarioOptions.Parse([]);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => RuleSetLoader.LoadEmbedded());
        services.AddSingleton(new ValuationOptions());
        services.AddCalcMarketData(new ConfigurationBuilder().Build());
        services.AddSingleton<Pricer>();
        services.AddSingleton<IncomeRecognition>();
        var provider = services.BuildServiceProvider();
        StartupImport.Run(provider.GetRequiredService<MarketDataStore>(), options.DataDirectory, ImportErrorMode.Fail, provider.GetRequiredService<ImportRules>());
        _recognition = provider.GetRequiredService<IncomeRecognition>();

        var request = Workload.Load(options.DataDirectory, "2025-08").BatchRequests(Receipts)[0];
        var p = request.Policy;
        _policy = new PolicyInput(p.Venue, p.QuoteCurrency, p.TimeZone, p.AllowProvisional, null);
        _receipts = [.. request.Receipts.Select(r => new ReceiptInput(r.Id, r.ReceivedAt.ToDateTimeOffset(), r.Asset, r.Amount))];
        _instants = [.. _receipts.Select(r => r.ReceivedAt!.Value)];
        _zone = TimeZoneInfo.FindSystemTimeZoneById(IncomeDate.DefaultZoneId);

        var check = RecognizeBatch();
        if (check.ErrorCount != 0)
        {
            throw new InvalidOperationException("the benchmark batch has item errors: " + check.Outcomes.First(o => !o.Ok).Error);
        }
    }

    /// <summary>One unary call's compute: session, chunk, totals.</summary>
    [Benchmark(OperationsPerInvoke = Receipts, Baseline = true)]
    public int Recognize()
    {
        var chunk = RecognizeBatch();
        return chunk.Outcomes.Length;
    }

    /// <summary>Instant → income date (Europe/Moscow) for every receipt of the batch, as the session does it.</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public int IncomeDates()
    {
        int sum = 0;
        foreach (var instant in _instants)
        {
            sum += IncomeDate.Of(instant, _zone).DayNumber;
        }

        return sum;
    }

    private IncomeChunk RecognizeBatch()
    {
        var session = _recognition.Begin(_policy);
        var chunk = session.RecognizeAsync(_receipts, CancellationToken.None).GetAwaiter().GetResult();
        _ = session.Totals();
        return chunk;
    }
}
