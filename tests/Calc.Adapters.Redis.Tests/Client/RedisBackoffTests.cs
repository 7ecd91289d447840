using System.Globalization;
using Calc.Adapters.Redis.Client;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>
/// The reconnect delay (<see cref="RedisClient.Backoff(int, TimeSpan, TimeSpan, double)"/>): base·2^(n−1), capped at
/// <see cref="RedisOptions.ReconnectMaxDelay"/>, then ±20 % jitter (RedisOptions and the adapter README state both).
/// </summary>
public sealed class RedisBackoffTests
{
    /// <summary>TimeSpan keeps 100 ns ticks: compare milliseconds to 3 decimals (1 µs).</summary>
    private const int Precision = 3;
    private const double Tolerance = 0.001;

    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);

    /// <summary>Failure counts from the first attempt to far past the cap, int.MaxValue included.</summary>
    private static readonly int[] Failures = [.. Enumerable.Range(1, 40), 100, 1_000, int.MaxValue];

    [Fact]
    public void Backoff_MidJitter_DoublesFromBaseAndStopsAtTheCap()
    {
        // Act: jitter 0.5 is the factor 1.0
        var delays = Failures.Select(n => Backoff(n, 0.5)).ToArray();

        // Assert
        double[] expected = [100, 200, 400, 800, 1600, 3200, 5000, 5000];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], delays[i], Precision);
        }

        Assert.All(delays.Skip(6), d => Assert.Equal(5000, d, Precision));
    }

    [Fact]
    public void Backoff_AnyJitter_WithinPlusMinus20PercentOfTheCappedDelay()
    {
        // Arrange: the extremes of the jitter input and values between
        double[] jitters = [0, 1e-9, 0.25, 0.5, 0.75, 1 - 1e-9, 1];

        foreach (int n in Failures)
        {
            double nominal = Math.Min(Base.TotalMilliseconds * Math.Pow(2, Math.Min(n - 1, 30)), Cap.TotalMilliseconds);
            foreach (double jitter in jitters)
            {
                // Act
                double delay = Backoff(n, jitter);

                // Assert
                Assert.InRange(delay, (nominal * 0.8) - Tolerance, (nominal * 1.2) + Tolerance);
            }

            Assert.Equal(nominal * 0.8, Backoff(n, 0), Precision);
            Assert.Equal(nominal * 1.2, Backoff(n, 1), Precision);
        }
    }

    [Fact]
    public void Backoff_WithJitter_EveryDelayBelowTheCapIsLongerThanAnyBefore_NoneLongerThanTheJitteredCap()
    {
        // the doubling (×2) outruns the jitter (×0.8 … ×1.2), so even the shortest draw of attempt n+1 is longer
        // than the longest draw of attempt n until the cap is reached
        for (int n = 1; Base.TotalMilliseconds * Math.Pow(2, n) <= Cap.TotalMilliseconds; n++)
        {
            Assert.True(Backoff(n + 1, 0) > Backoff(n, 1),
                string.Create(CultureInfo.InvariantCulture, $"attempt {n + 1} shortest {Backoff(n + 1, 0)} ms vs attempt {n} longest {Backoff(n, 1)} ms"));
        }

        Assert.All(Failures, n => Assert.InRange(Backoff(n, 1), 0, (Cap.TotalMilliseconds * 1.2) + Tolerance));
    }

    [Fact]
    public async Task Backoff_ClientDrawsJitterSpreadOverTheStatedRange()
    {
        // Arrange: a client with nobody listening (it only retries in the background)
        var options = RedisOptions.Parse("127.0.0.1:1,connectTimeout=100");
        options.ReconnectBaseDelay = Base;
        options.ReconnectMaxDelay = Cap;
        await using var client = RedisClient.Start(options);

        foreach (int n in new[] { 1, 3, 7, 20 })
        {
            double nominal = Math.Min(Base.TotalMilliseconds * Math.Pow(2, n - 1), Cap.TotalMilliseconds);

            // Act
            var draws = Enumerable.Range(0, 2_000).Select(_ => client.Backoff(n).TotalMilliseconds).ToArray();

            // Assert: inside ±20 %, and actually spread (all 2 000 draws in one 10 % band: p < 1e-200 if uniform)
            Assert.All(draws, d => Assert.InRange(d, (nominal * 0.8) - Tolerance, (nominal * 1.2) + Tolerance));
            Assert.True(draws.Min() < nominal * 0.9 && draws.Max() > nominal * 1.1,
                string.Create(CultureInfo.InvariantCulture, $"attempt {n}: draws {draws.Min():0.0} … {draws.Max():0.0} ms around {nominal} ms"));
        }
    }

    private static double Backoff(int failures, double jitter) => RedisClient.Backoff(failures, Base, Cap, jitter).TotalMilliseconds;
}
