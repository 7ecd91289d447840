using Calc.LoadTests;
using Calc.LoadTests.Redis;

// Subcommand dispatcher only: each area registers its commands in its own file.
var commands = new List<LoadCommand>();
commands.AddRange(Calc.LoadTests.Scenarios.ScenarioCommands.All);
commands.Add(Calc.LoadTests.Scenarios.CompareCommand.Command);
commands.Add(Calc.LoadTests.Scenarios.UpstreamFake.Command);
commands.Add(Calc.LoadTests.Scenarios.VerifyQuotes.Command);
commands.Add(new LoadCommand("redis-bench", RedisBench.Help, (args, _) => RedisBench.RunAsync(args)));
return await LoadCommand.DispatchAsync(commands, args);
