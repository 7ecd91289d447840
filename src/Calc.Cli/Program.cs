using Calc.Cli;
using Calc.Cli.Hosting;

// calc: the command line of Calc. Ctrl-C once cancels the running command, which flushes and marks its
// partial output and exits with 130; Ctrl-C twice ends the process at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupt.Cancel();
    }
};

return await CliApp.RunAsync(args, CliConsole.System(), new ServerHostFactory(), interrupt.Token);
