using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Client;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;

namespace Calc.Server.Tests;

/// <summary>
/// Two real server processes sharing a real redis-server: what one replica fetched from the CBR, the other
/// reads from Redis; when Redis dies, answers keep coming from memory and health says Degraded.
/// </summary>
public sealed class RedisSharingTests
{
    [RedisFact]
    public async Task Replicas_ShareCbrRatesThroughRedis_AndSurviveItsDeath()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var cbr = await CbrFake.StartAsync();
        string redisConfig = redis.Configuration + ",abortConnect=false,connectTimeout=1000,syncTimeout=500,name=calc-e2e";
        await using var fetcher = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Redis__Configuration"] = redisConfig,
            ["MarketData__Upstreams__Cbr__Enabled"] = "true",
            ["MarketData__Upstreams__Cbr__BaseUrl"] = cbr.BaseUrl.ToString(),
            ["MarketData__Sync__Enabled"] = "false",
        });
        await using var reader = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Redis__Configuration"] = redisConfig,
        });
        var request = new GetCbrRateRequest { Currency = "USD", Date = "2026-03-04" };

        var fetched = await new CalcClient(new GrpcChannel(fetcher.GrpcAddress)).GetCbrRateAsync(request);
        var shared = await WaitForAsync(() => new CalcClient(new GrpcChannel(reader.GrpcAddress)).GetCbrRateAsync(request), r => r.Source == "redis");
        redis.Kill();
        var afterRedisDied = await new CalcClient(new GrpcChannel(reader.GrpcAddress)).GetCbrRateAsync(request);
        using var http = new HttpClient();
        string health = await WaitForAsync(() => http.GetStringAsync(new Uri(reader.Http1Address, "/health")), h => h.Contains("Degraded", StringComparison.Ordinal));

        Assert.Equal(("upstream", "77.6093", "2026-03-04"), (fetched.Source, fetched.Value, fetched.EffectiveDate));
        Assert.Equal(1, cbr.Calls);
        Assert.Equal(("redis", "77.6093", "2026-03-04", 1), (shared.Source, shared.Value, shared.EffectiveDate, shared.Nominal));
        Assert.Equal("77.6093", afterRedisDied.Value);
        Assert.Contains("quote-cache", health, StringComparison.Ordinal);
        Assert.Contains("Degraded", health, StringComparison.Ordinal);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> call, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60); // generous for a loaded CI machine; the asserts below say what was missed
        while (true)
        {
            var value = await call();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
