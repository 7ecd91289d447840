using Calc.LoadTests.Redis;

// Calc load tests: one subcommand per scenario. Loopback only, bounded in count and time.
var scenarios = new Dictionary<string, (string Help, Func<string[], Task<int>> Run)>(StringComparer.Ordinal)
{
    ["redis-bench"] = (RedisBench.Help, RedisBench.RunAsync),
};

if (args.Length == 0 || !scenarios.TryGetValue(args[0], out var scenario))
{
    Console.Error.WriteLine("usage: Calc.LoadTests <scenario> [options]\nscenarios:");
    foreach (var (name, (help, _)) in scenarios)
    {
        Console.Error.WriteLine("  " + name + "  " + help);
    }

    return 2;
}

return await scenario.Run(args[1..]);
