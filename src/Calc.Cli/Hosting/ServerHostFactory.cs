namespace Calc.Cli.Hosting;

/// <summary>
/// The embedded host. Calc.Server does not yet expose an in-process start method on this branch, so
/// <c>--embedded</c> reports that clearly instead of pretending.
/// </summary>
internal sealed class ServerHostFactory : IEmbeddedServerFactory
{
    public Task<IEmbeddedServer> StartAsync(EmbeddedOptions options, CancellationToken cancellationToken) =>
        throw new CliException(ExitCodes.Unavailable,
            "--embedded is not available in this build: Calc.Server has no in-process host yet; use --server");
}
