namespace Calc.Cli.Hosting;

/// <summary>A Calc server host running inside this process.</summary>
internal interface IEmbeddedServer : IAsyncDisposable
{
    /// <summary>The bound gRPC (h2c) address, e.g. http://127.0.0.1:41234.</summary>
    Uri GrpcAddress { get; }
}

/// <summary>What <c>--embedded</c> configures: the server's own settings, as command-line configuration.</summary>
/// <param name="MarketDataPath">Folder or file imported at startup (the server's <c>MarketData:ImportPath</c>); null = none.</param>
internal sealed record EmbeddedOptions(string? MarketDataPath)
{
    /// <summary>
    /// The host's configuration arguments: the server's appsettings.json shipped beside calc (not whatever
    /// the current folder holds), plain logs to stderr at warning (stdout is the CLI's output).
    /// </summary>
    public IReadOnlyList<string> ToHostArgs()
    {
        var args = new List<string>
        {
            "--contentRoot=" + AppContext.BaseDirectory,
            "--Logging:Json=false",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel=Error",
            "--Logging:Console:LogToStandardErrorThreshold=Trace",
        };
        if (!string.IsNullOrWhiteSpace(MarketDataPath))
        {
            args.Add("--MarketData:ImportPath=" + Path.GetFullPath(MarketDataPath));
        }

        return args;
    }
}

/// <summary>Starts the embedded host; the seam between the CLI and Calc.Server.</summary>
internal interface IEmbeddedServerFactory
{
    Task<IEmbeddedServer> StartAsync(EmbeddedOptions options, CancellationToken cancellationToken);
}
