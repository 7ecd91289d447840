using System.Runtime.InteropServices;
using Calc.Cli;
using Calc.Cli.Hosting;

// calc: the command line of Calc. Ctrl-C (SIGINT) or SIGTERM cancels the running command, which flushes
// and marks its partial output and exits with 130; a second Ctrl-C ends the process at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupt.Cancel();
    }
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    interrupt.Cancel();
});

return await CliApp.RunAsync(args, CliConsole.System(), new ServerHostFactory(), interrupt.Token);
