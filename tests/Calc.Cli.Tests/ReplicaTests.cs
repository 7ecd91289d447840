using Calc.Cli.Hosting;
using Calc.Cli.Tests.Infrastructure;
using Calc.V1;
using Grpc.Core;

namespace Calc.Cli.Tests;

/// <summary>
/// <c>--server</c> with several replicas: two real server processes behind one channel of the CLI. Calls are
/// spread round_robin (both processes log calls they refused), and when one replica stops, the lookups retried on
/// UNAVAILABLE are answered by the other.
/// </summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private ServerProcess _a = null!;
    private ServerProcess _b = null!;

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.Market, ["Logging__LogLevel__Default"] = "Information" };
        var servers = await ServerProcess.StartManyAsync(2, environment);
        (_a, _b) = (servers[0], servers[1]);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync(); // nothing more when the test killed it
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task StaticReplicaList_CallsReachBothReplicas_AndSurviveOneStopping()
    {
        var target = ServerTarget.Parse($"{_a.GrpcAddress.ToString().TrimEnd('/')}, {_b.GrpcAddress.ToString().TrimEnd('/')}");
        using var channel = CalcChannel.Create(target);
        var quotes = new QuoteService.QuoteServiceClient(channel);
        Assert.DoesNotContain("GetCbrRate", _a.Output + _b.Output, StringComparison.Ordinal);

        // refused calls are logged by the server that received them (a valid call is logged only at Debug)
        for (int i = 0; i < 20; i++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                quotes.GetCbrRateAsync(new GetCbrRateRequest { Currency = "U$D", Date = "2025-03-14" }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        }

        await _a.WaitForOutputAsync("GetCbrRate", TimeSpan.FromSeconds(10));
        await _b.WaitForOutputAsync("GetCbrRate", TimeSpan.FromSeconds(10));
        Assert.Contains("GetCbrRate", _a.Output, StringComparison.Ordinal);
        Assert.Contains("GetCbrRate", _b.Output, StringComparison.Ordinal);

        await _a.DisposeAsync(); // killed: its connection drops, calls to it fail UNAVAILABLE and are retried on the other
        for (int i = 0; i < 10; i++)
        {
            var rate = await quotes.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-03-14" }, deadline: DateTime.UtcNow.AddSeconds(30));
            Assert.NotEmpty(rate.Value);
        }
    }

    [Theory]
    [InlineData("http://a:5000,https://b:5000", "several addresses are balanced by calc only over h2c")]
    [InlineData("dns://8.8.8.8/calc:5000", "is not a dns:///host:port target")]
    [InlineData("dns:///calc", "is not a dns:///host:port target")]
    [InlineData("http://a:5000,ftp://b", "'ftp://b' is not an http:// or https:// address")]
    [InlineData(" , ", "--server is empty")]
    public void ServerTarget_BadText_ClearError(string text, string expected)
    {
        var error = Assert.Throws<CliException>(() => ServerTarget.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerTarget_Forms()
    {
        Assert.Equal(new Uri("https://calc.bank:443"), ServerTarget.Parse("https://calc.bank:443").Single);
        Assert.Equal(2, ServerTarget.Parse("http://10.0.0.1:5000,http://10.0.0.2:5000").Replicas.Count);
        Assert.Equal("dns:///calc.internal:5000", ServerTarget.Parse("dns:///calc.internal:5000").DnsTarget);
    }

    [Fact]
    public void ServiceConfig_RetriesOnlyTheIdempotentCalls_OnUnavailable()
    {
        var config = CalcChannel.ServiceConfig(roundRobin: true);
        var retried = config.MethodConfigs.SelectMany(m => m.Names).Select(n => $"{n.Service}/{n.Method}").ToHashSet();
        var policy = Assert.Single(config.MethodConfigs).RetryPolicy!;

        Assert.Equal(new[] { StatusCode.Unavailable }, policy.RetryableStatusCodes);
        Assert.Contains("calc.v1.QuoteService/GetCbrRate", retried);
        Assert.DoesNotContain("calc.v1.QuoteService/ImportCbrRates", retried);
        Assert.DoesNotContain("calc.v1.QuoteService/ImportClosingPrices", retried);
        Assert.DoesNotContain("calc.v1.IncomeService/StreamRecognizeIncome", retried);
        Assert.Single(config.LoadBalancingConfigs, c => c.PolicyName == "round_robin");
        // every unary calc.v1 method is named in the decision one way or the other (a new rpc must be decided)
        var unary = new[] { QuotesReflection.Descriptor, IncomeReflection.Descriptor, TaxReflection.Descriptor, CollateralReflection.Descriptor }
            .SelectMany(f => f.Services).SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming && !m.IsServerStreaming)
            .Select(m => $"{m.Service.FullName}/{m.Name}");
        Assert.Empty(unary.Except(retried).Except(["calc.v1.QuoteService/ImportCbrRates", "calc.v1.QuoteService/ImportClosingPrices"]));
    }
}
