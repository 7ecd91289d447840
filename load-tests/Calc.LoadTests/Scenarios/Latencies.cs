using System.Diagnostics;

namespace Calc.LoadTests.Scenarios;

/// <summary>Per-call latencies of one worker (no locking); merged at the end for exact percentiles.</summary>
public sealed class Latencies
{
    private readonly List<long> _ticks = [];

    public int Count => _ticks.Count;

    public void Add(long startTimestamp) => _ticks.Add(Stopwatch.GetTimestamp() - startTimestamp);

    public void AddElapsed(TimeSpan elapsed) => _ticks.Add((long)(elapsed.TotalSeconds * Stopwatch.Frequency));

    public static Percentiles Merge(IEnumerable<Latencies> parts)
    {
        long[] all = [.. parts.SelectMany(p => p._ticks)];
        Array.Sort(all);
        return new Percentiles(Ms(all, 0.50), Ms(all, 0.90), Ms(all, 0.99), all.Length);
    }

    private static double Ms(long[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int index = Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1);
        return sorted[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }
}

/// <summary>Latency percentiles in milliseconds over <see cref="Samples"/> calls.</summary>
public readonly record struct Percentiles(double P50, double P90, double P99, int Samples)
{
    public static Percentiles None => new(double.NaN, double.NaN, double.NaN, 0);
}
