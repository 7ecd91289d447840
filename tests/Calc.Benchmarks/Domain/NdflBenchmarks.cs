using BenchmarkDotNet.Attributes;
using Calc.Domain.Rules;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;

namespace Calc.Benchmarks.Domain;

/// <summary>One NDFL / profit-tax computation (with explanation lines), in-process, single thread.</summary>
[MemoryDiagnoser]
public class NdflBenchmarks
{
    private readonly RuleSet _rules = RuleSetLoader.LoadEmbedded();
    private readonly NdflInput _resident = new(2025, Residency.Resident, 1_234_567.89m, 300_000m, 3_000_000m, 402_000m, 150_000m);
    private readonly ProfitTaxInput _profit = new(2025, ReportingPeriod.H1, 12_345_678.90m, 4_000_000m);

    [Benchmark]
    public decimal NdflCompute() => NdflCalculator.Compute(_resident, _rules).Value.TotalDueRub;

    [Benchmark]
    public decimal ProfitTaxCompute() => ProfitTaxCalculator.Compute(_profit, _rules).Value.TaxRub;
}
