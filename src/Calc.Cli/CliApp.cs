using System.CommandLine;
using Calc.Cli.Commands;
using Calc.Cli.Hosting;

namespace Calc.Cli;

/// <summary>The <c>calc</c> command tree and its entry point.</summary>
internal static class CliApp
{
    public static RootCommand Build(CliConsole console, IEmbeddedServerFactory embedded)
    {
        var options = new GlobalOptions();
        var runner = new CommandRunner(options, console, embedded);
        var root = new RootCommand("calc: quotes, CBR rates, mining income and tax from the Calc service (month-end runs from 1C/ERP exports)");
        foreach (var option in options.All)
        {
            root.Add(option);
        }

        root.Add(QuoteCommands.Quote(runner));
        root.Add(QuoteCommands.Rates(runner));
        root.Add(QuoteCommands.Venues(runner));
        root.Add(IncomeCommands.Income(runner));
        root.Add(TaxCommands.Ndfl(runner));
        root.Add(TaxCommands.ProfitTax(runner));
        root.Add(TaxCommands.Deadlines(runner));
        root.Add(CollateralCommands.Collateral(runner));
        root.Add(OtherCommands.Health(runner));
        root.Add(ImportCommands.Import(runner));
        root.Add(DevCommands.Dev(runner));
        return root;
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(r.Parent is null ? "calc" : r.Command.Name);
        }

        return names;
    }

    /// <summary>Parses and runs <paramref name="args"/>; Ctrl-C cancels <paramref name="cancellationToken"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, IEmbeddedServerFactory embedded, CancellationToken cancellationToken)
    {
        var root = Build(console, embedded);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // a bad command line is exit code 2 (README), not System.CommandLine's 1, which scripts read as "some rows failed"
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine("calc: " + error.Message);
            }

            console.Error.WriteLine($"calc: see '{string.Join(' ', CommandPath(parse.CommandResult))} --help'");
            await console.Error.FlushAsync(CancellationToken.None);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            ProcessTerminationTimeout = null, // Program handles Ctrl-C: the run flushes and marks its output
        };
        int code = await parse.InvokeAsync(configuration, cancellationToken);
        await console.Out.FlushAsync(CancellationToken.None);
        await console.Error.FlushAsync(CancellationToken.None);
        return code;
    }
}
