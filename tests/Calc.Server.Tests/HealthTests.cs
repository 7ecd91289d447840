using Calc.Server.Tests.Infrastructure;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Calc.Server.Tests;

/// <summary>grpc.health.v1 on the real server: the overall status and each calc.v1 service, fed by the health checks.</summary>
public sealed class HealthTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    [Theory]
    [InlineData("")]
    [InlineData("calc.v1.QuoteService")]
    [InlineData("calc.v1.IncomeService")]
    [InlineData("calc.v1.TaxService")]
    [InlineData("calc.v1.CollateralService")]
    public async Task HealthCheck_ServiceOfThisServer_BecomesServing(string service)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress);
        var health = new Health.HealthClient(channel);
        HealthCheckResponse? response = null;
        // health checks publish on their own schedule: generous for a loaded CI machine
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            response = await health.CheckAsync(new HealthCheckRequest { Service = service });
            if (response.Status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                break;
            }
        }

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response?.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_IsNotFound()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress);
        var health = new Health.HealthClient(channel);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            health.CheckAsync(new HealthCheckRequest { Service = "calc.v1.NoSuchService" }).ResponseAsync);

        Assert.Equal("NOT_FOUND", Calc.Transport.Grpc.GrpcErrors.CodeName(e.StatusCode));
    }

    [Fact]
    public async Task HealthEndpoint_ReportsRulesVersionAndCacheState()
    {
        using var http = new HttpClient();

        string body = await http.GetStringAsync(new Uri(fixture.Server.Http1Address, "/health"));

        Assert.Contains("\"rules_version\":\"sha256:", body, StringComparison.Ordinal);
        Assert.Contains("\"quote-cache\"", body, StringComparison.Ordinal);
    }
}
