namespace Calc.LoadTests;

/// <summary>One subcommand of the load-test console: <c>dotnet Calc.LoadTests.dll NAME [--option value]…</c>.</summary>
public sealed record LoadCommand(string Name, string Description, Func<string[], CancellationToken, Task<int>> Run)
{
    public static async Task<int> DispatchAsync(IReadOnlyList<LoadCommand> commands, string[] args)
    {
        var command = args.Length > 0 ? commands.FirstOrDefault(c => c.Name == args[0]) : null;
        if (command is null)
        {
            Console.Error.WriteLine("usage: Calc.LoadTests <command> [--option value]…");
            foreach (var c in commands)
            {
                Console.Error.WriteLine($"  {c.Name,-14} {c.Description}");
            }

            return args.Length == 0 || args[0] is "help" or "--help" or "-h" ? 0 : 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return await command.Run(args[1..], cts.Token).ConfigureAwait(false);
    }
}
