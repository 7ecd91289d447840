using Calc.Tests.Shared;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>Paths of the small import fixtures copied beside the test assembly.</summary>
internal static class Fixtures
{
    /// <summary>Real CBR rates and venue closes around the 2024/25 New-Year holidays and March 2025.</summary>
    public static string SmallImport => Path.Combine(AppContext.BaseDirectory, "Fixtures", "import-small");

    /// <summary>A cbr-rates.csv whose line 3 has a comma decimal.</summary>
    public static string BadImport => Path.Combine(AppContext.BaseDirectory, "Fixtures", "import-bad");

    /// <summary>The workspace's real data folder (only with <see cref="SharedDataFactAttribute"/>).</summary>
    public static string SharedImport => SharedData.PathOf("");
}

/// <summary>One server process with the small fixture imported, shared by a test class.</summary>
public sealed class SmallServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.SmallImport });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
