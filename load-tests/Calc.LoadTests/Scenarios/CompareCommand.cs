using System.Globalization;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// <c>compare SCENARIO --runs N [--a-dll P] [--b-dll P] [--a-env "K=V;…"] [--b-env "K=V;…"] [scenario options]</c>:
/// runs the scenario alternately against server A and server B (a fresh process each run: A, B, A, B, …), so
/// machine noise hits both sides alike, and reports each side's median and the ratio B/A of the medians.
/// </summary>
public static class CompareCommand
{
    public static LoadCommand Command => new("compare",
        "alternating A/B runs of one scenario (two server builds or settings); medians and the ratio B/A", RunAsync);

    private static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: compare SCENARIO --runs N [--a-dll P] [--b-dll P] [--a-env \"K=V;…\"] [--b-env \"K=V;…\"] [options]");
            return 2;
        }

        string scenario = args[0];
        var options = ScenarioOptions.Parse(args[1..]);
        int runs = options.Int("runs", 5, 1);
        var sides = new[] { "a", "b" };
        var results = sides.ToDictionary(s => s, _ => new List<ScenarioReport>());
        for (int run = 0; run < runs; run++)
        {
            foreach (string side in sides)
            {
                var sideOptions = ScenarioOptions.Parse(args[1..]).Set("repeat", "1");
                if (options.String(side + "-dll") is { } dll)
                {
                    sideOptions.Set("server-dll", dll);
                }

                sideOptions.Set("server-env", options.String(side + "-env") ?? "");
                foreach (var report in await ScenarioCommands.RunAsync(scenario, sideOptions, ct).ConfigureAwait(false))
                {
                    results[side].Add(report with { Scenario = $"{side.ToUpperInvariant()}: {report.Scenario}" });
                }
            }
        }

        Console.WriteLine(ScenarioReport.Header);
        foreach (var report in results["a"].Concat(results["b"]))
        {
            Console.WriteLine(report.Row());
        }

        // one median per distinct scenario row (unary yields two rows a run)
        foreach (var name in results["a"].Select(r => r.Scenario[3..]).Distinct())
        {
            var a = ScenarioReport.Median([.. results["a"].Where(r => r.Scenario[3..] == name)]);
            var b = ScenarioReport.Median([.. results["b"].Where(r => r.Scenario[3..] == name)]);
            Console.WriteLine(a.Row());
            Console.WriteLine(b.Row());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio B/A for {name}: items/s {b.ItemsPerSecond / a.ItemsPerSecond:F2}, p50 {b.Latency.P50 / a.Latency.P50:F2}, p99 {b.Latency.P99 / a.Latency.P99:F2}, server CPU per item {b.ServerCpuSeconds / b.Items / (a.ServerCpuSeconds / a.Items):F2}"));
        }

        return 0;
    }
}
