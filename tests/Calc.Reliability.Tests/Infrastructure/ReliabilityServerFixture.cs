using Calc.Server.Tests.Infrastructure;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>One server process with the small real-data fixture imported and a 1 MiB message limit.</summary>
public sealed class ReliabilityServerFixture : IAsyncLifetime
{
    public const int MessageLimit = 1024 * 1024;

    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["MarketData__ImportPath"] = Fixtures.SmallImport,
            ["Grpc__MaxReceiveMessageSize"] = MessageLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
