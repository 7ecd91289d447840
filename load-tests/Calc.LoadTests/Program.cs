using Calc.LoadTests;

// Subcommand dispatcher only: each area registers its commands in its own file.
var commands = new List<LoadCommand>();
commands.AddRange(Calc.LoadTests.Scenarios.ScenarioCommands.All);
return await LoadCommand.DispatchAsync(commands, args);
