using System.Diagnostics;
using Calc.Cli.Hosting;
using Calc.Tests.Shared;

namespace Calc.Cli.Tests.Infrastructure;

/// <summary>What one run of <c>calc</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.TrimEnd('\n').Split('\n');
}

/// <summary>Runs the <c>calc</c> command tree in this process, with its stdout and stderr captured.</summary>
internal static class CalcCli
{
    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, CancellationToken.None);

    public static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(output, error, errorIsTerminal: false, outputIsTerminal: false);
        int code = await CliApp.RunAsync(args, console, new ServerHostFactory(), cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The built calc.dll (same configuration as the tests), for runs that need a real process.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "calc.dll");

    /// <summary>Starts calc.dll as a real process (for signals), stdout and stderr redirected.</summary>
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedData.RepoRoot,
        };
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }
}

/// <summary>One real Calc.Server process with the market fixture imported, shared by the end-to-end tests.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    internal ServerProcess Server { get; private set; } = null!;

    public string Address => Server.GrpcAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync() =>
        Server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.Market });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "calc server process";
}
