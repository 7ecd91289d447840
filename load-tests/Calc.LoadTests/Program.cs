using Calc.LoadTests;

// Subcommand dispatcher only: each area registers its commands in its own file.
var commands = new List<LoadCommand>();
commands.AddRange(Calc.LoadTests.Scenarios.ScenarioCommands.All);
commands.Add(Calc.LoadTests.Scenarios.CompareCommand.Command);
return await LoadCommand.DispatchAsync(commands, args);
