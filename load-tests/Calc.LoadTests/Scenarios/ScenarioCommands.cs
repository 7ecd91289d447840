using System.Globalization;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// The load-test scenarios as console subcommands. Each starts its own server process (Release build by
/// default, <c>--server-dll</c> to choose), warms it up, runs <c>--repeat</c> measured runs (median reported)
/// and prints Markdown rows for load-tests/README.md. <c>--smoke</c>: seconds-long runs with tiny counts.
/// </summary>
public static class ScenarioCommands
{
    public static readonly string[] Names = ["unary", "unary-h2load", "batch", "batch-h2load", "stream", "connect", "cold"];

    public static IEnumerable<LoadCommand> All =>
    [
        Command("unary", "1: GetQuote/GetCbrRate mix, .NET client: closed-loop peak, then open loop at half of it"),
        Command("unary-h2load", "1: the same mix with h2load and prepared bodies"),
        Command("batch", "2: RecognizeIncome, 10,000 receipts per call, 31 days × 3 assets"),
        Command("batch-h2load", "2: the same batch with h2load and one prepared body, 2 calls in flight"),
        Command("stream", "3: StreamRecognizeIncome month-end run, 1,000,000 receipts in one stream"),
        Command("connect", "4: Connect JSON RecognizeIncome over HTTP/1.1, 1,000-row batches"),
        Command("cold", "5: cold start against a loopback upstream fake: empty Redis, then warm Redis"),
        new LoadCommand("all", "every scenario in turn (add --smoke for the CI-sized run)", RunAllAsync),
    ];

    /// <summary>Runs one scenario against a fresh server; the reports of every run (and the median when repeated).</summary>
    public static async Task<IReadOnlyList<ScenarioReport>> RunAsync(string scenario, ScenarioOptions options, CancellationToken ct)
    {
        int repeat = options.Int("repeat", 1, 1);
        if (scenario == "cold")
        {
            var runs = new List<ScenarioReport>();
            for (int run = 0; run < repeat; run++)
            {
                runs.AddRange(await ColdStartScenario.RunAsync(options, ct).ConfigureAwait(false));
            }

            return runs;
        }

        var workload = Workload.Load(options.DataDirectory, options.String("month") ?? "2025-08");
        await using var server = options.String("target") is null
            ? await ServerUnderTest.StartAsync(options, cancellationToken: ct).ConfigureAwait(false)
            : ServerUnderTest.Attach(options);
        var reports = new List<ScenarioReport>();
        var byName = new Dictionary<string, List<ScenarioReport>>(StringComparer.Ordinal);
        for (int run = 0; run < repeat; run++)
        {
            IReadOnlyList<ScenarioReport> runReports = scenario switch
            {
                "unary" => await UnaryScenarios.DotnetAsync(server, workload, options, ct).ConfigureAwait(false),
                "unary-h2load" => await UnaryScenarios.H2LoadAsync(server, workload, options, ct).ConfigureAwait(false),
                "batch" => [await IncomeScenarios.BatchAsync(server, workload, options, ct).ConfigureAwait(false)],
                "batch-h2load" => await UnaryScenarios.BatchH2LoadAsync(server, workload, options, ct).ConfigureAwait(false),
                "stream" => [await IncomeScenarios.StreamAsync(server, workload, options, ct).ConfigureAwait(false)],
                "connect" => [await IncomeScenarios.ConnectAsync(server, workload, options, ct).ConfigureAwait(false)],
                _ => throw new ArgumentException($"unknown scenario '{scenario}'", nameof(scenario)),
            };
            foreach (var report in runReports)
            {
                reports.Add(report);
                if (!byName.TryGetValue(report.Scenario, out var list))
                {
                    byName[report.Scenario] = list = [];
                }

                list.Add(report);
            }
        }

        if (repeat > 1)
        {
            reports.AddRange(byName.Values.Select(ScenarioReport.Median));
        }

        return reports;
    }

    private static LoadCommand Command(string name, string description) => new(name, description, async (args, ct) =>
    {
        var options = ScenarioOptions.Parse(args);
        Print(options, await RunAsync(name, options, ct).ConfigureAwait(false));
        return 0;
    });

    private static async Task<int> RunAllAsync(string[] args, CancellationToken ct)
    {
        var options = ScenarioOptions.Parse(args);
        var all = new List<ScenarioReport>();
        foreach (string name in Names)
        {
            all.AddRange(await RunAsync(name, options, ct).ConfigureAwait(false));
        }

        Print(options, all);
        return all.Any(r => r.Errors > 0) ? 1 : 0;
    }

    private static void Print(ScenarioOptions options, IReadOnlyList<ScenarioReport> reports)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()}, data {options.DataDirectory}"));
        Console.WriteLine(ScenarioReport.Header);
        foreach (var report in reports)
        {
            Console.WriteLine(report.Row());
        }

        if (options.String("json") is { } path)
        {
            File.AppendAllLines(path, reports.Select(r => r.Json()));
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
