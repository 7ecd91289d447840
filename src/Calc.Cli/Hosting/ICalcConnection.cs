using Calc.V1;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Calc.Cli.Hosting;

/// <summary>The generated Grpc.Net.Client clients of one channel.</summary>
internal sealed class CalcClients(GrpcChannel channel)
{
    public QuoteService.QuoteServiceClient Quotes { get; } = new(channel);

    public IncomeService.IncomeServiceClient Income { get; } = new(channel);

    public TaxService.TaxServiceClient Tax { get; } = new(channel);

    public CollateralService.CollateralServiceClient Collateral { get; } = new(channel);

    public Health.HealthClient Health { get; } = new(channel);
}

/// <summary>Where the CLI's calls go: a remote server (or replicas), or a server started in this process.</summary>
internal interface ICalcConnection : IAsyncDisposable
{
    CalcClients Client { get; }

    /// <summary>For messages: "http://127.0.0.1:5000" or "embedded (…)".</summary>
    string Description { get; }
}

/// <summary>A Calc server (or several replicas) reached over gRPC (h2c or TLS).</summary>
internal sealed class RemoteConnection : ICalcConnection
{
    private readonly GrpcChannel _channel;
    private readonly ServerTarget _target;

    public RemoteConnection(ServerTarget target)
    {
        _target = target;
        _channel = CalcChannel.Create(target);
        Client = new CalcClients(_channel);
    }

    public CalcClients Client { get; }

    public string Description => _target.Description;

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
internal sealed class EmbeddedConnection : ICalcConnection
{
    private readonly IEmbeddedServer _server;
    private readonly GrpcChannel _channel;

    public EmbeddedConnection(IEmbeddedServer server)
    {
        _server = server;
        _channel = CalcChannel.Create(ServerTarget.Parse(server.GrpcAddress.ToString()));
        Client = new CalcClients(_channel);
    }

    public CalcClients Client { get; }

    public string Description => $"embedded ({_server.GrpcAddress.ToString().TrimEnd('/')})";

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }
}
