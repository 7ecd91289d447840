using Calc.Server.Hosting;

namespace Calc.Cli.Hosting;

/// <summary><c>--embedded</c>: Calc.Server's own composition (<see cref="CalcHost.StartAsync"/>) in this process.</summary>
internal sealed class ServerHostFactory : IEmbeddedServerFactory
{
    public async Task<IEmbeddedServer> StartAsync(EmbeddedOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return new Started(await CalcHost.StartAsync([.. options.ToHostArgs()], cancellationToken));
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("market data import failed", StringComparison.Ordinal))
        {
            throw new CliException(ExitCodes.Usage, "--embedded: " + e.Message);
        }
    }

    private sealed class Started(EmbeddedCalc calc) : IEmbeddedServer
    {
        public Uri GrpcAddress => calc.GrpcAddress;

        public ValueTask DisposeAsync() => calc.DisposeAsync();
    }
}
