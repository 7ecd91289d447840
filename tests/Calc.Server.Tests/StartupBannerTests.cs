using Calc.Server.Tests.Infrastructure;
using Calc.Tests.Shared;

namespace Calc.Server.Tests;

/// <summary>
/// What a new user sees when starting Calc as the README says: one human line naming the addresses and a first
/// call, and a relative MarketData__ImportPath taken relative to the directory Calc was started from.
/// </summary>
public class StartupBannerTests
{
    [Fact]
    public async Task Start_RelativeImportPath_ResolvesAgainstTheCurrentDirectory_AndOneLineSaysWhereItListens()
    {
        // the server process runs in the repository root; the fixture folder is given relative to it
        string relative = Path.GetRelativePath(SharedData.RepoRoot, Fixtures.SmallImport);
        Assert.False(Path.IsPathRooted(relative));
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["MarketData__ImportPath"] = relative });

        string output = await server.WaitForOutputAsync("Calc listening:", TimeSpan.FromSeconds(30));

        string banner = output.Split('\n').Single(l => l.StartsWith("Calc listening:", StringComparison.Ordinal)).TrimEnd('\r');
        string grpc = server.GrpcAddress.ToString().TrimEnd('/'), http1 = server.Http1Address.ToString().TrimEnd('/');
        Assert.Equal($"Calc listening: gRPC {grpc}; HTTP/1.1 (JSON, /health) {http1}. "
            + $"Try: calc --server {grpc} health, or curl -s {http1}/health (README \"First calls\")", banner);
        Assert.Contains($"Imported market data from {Fixtures.SmallImport}", output, StringComparison.Ordinal);
    }
}
