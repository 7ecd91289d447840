using Calc.Client;

namespace Calc.Cli.Hosting;

/// <summary>Where the CLI's calls go: a remote server, or a server started in this process.</summary>
internal interface ICalcConnection : IAsyncDisposable
{
    CalcClient Client { get; }

    /// <summary>For messages: "http://127.0.0.1:5000" or "embedded (…)".</summary>
    string Description { get; }
}

/// <summary>A Calc server reached over gRPC (h2c or TLS).</summary>
internal sealed class RemoteConnection(Uri address) : ICalcConnection
{
    private readonly GrpcChannel _channel = new(address);

    public CalcClient Client => new(_channel);

    public string Description => address.ToString().TrimEnd('/');

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// <c>--embedded</c>: the server's host (the same application layer, market data import and transport)
/// started inside the CLI process on a loopback port, called through the same client.
/// </summary>
internal sealed class EmbeddedConnection(IEmbeddedServer server) : ICalcConnection
{
    private readonly GrpcChannel _channel = new(server.GrpcAddress);

    public CalcClient Client => new(_channel);

    public string Description => $"embedded ({server.GrpcAddress.ToString().TrimEnd('/')})";

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await server.DisposeAsync();
    }
}
