using Calc.Adapters.Redis.Tests.Infrastructure;
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
        // sharing is what is tested here, not the fail-open timeouts: on a loaded CI machine a Redis round trip can take
        // longer than the 250 ms default, and a write that gives up leaves nothing to share
        string redisConfig = redis.Configuration + ",abortConnect=false,connectTimeout=5000,syncTimeout=5000,name=calc-e2e";
        const string cacheTimeout = "00:00:10";
        await using var fetcher = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Redis__Configuration"] = redisConfig,
            ["MarketData__CacheTimeout"] = cacheTimeout,
            ["MarketData__Upstreams__Cbr__Enabled"] = "true",
            ["MarketData__Upstreams__Cbr__BaseUrl"] = cbr.BaseUrl.ToString(),
            ["MarketData__Sync__Enabled"] = "false",
        });
        await using var reader = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Redis__Configuration"] = redisConfig,
            ["MarketData__CacheTimeout"] = cacheTimeout,
        });
        var request = new GetCbrRateRequest { Currency = "USD", Date = "2026-03-04" };

        var fetched = await new CalcClient(fetcher.GrpcAddress).GetCbrRateAsync(request);
        var shared = await WaitForAsync(() => new CalcClient(reader.GrpcAddress).GetCbrRateAsync(request), r => r.Source == "redis");
        redis.Kill();
        var afterRedisDied = await new CalcClient(reader.GrpcAddress).GetCbrRateAsync(request);
        using var http = new HttpClient();
        string health = await WaitForAsync(() => http.GetStringAsync(new Uri(reader.Http1Address, "/health")), h => h.Contains("Degraded", StringComparison.Ordinal));

        Assert.Equal(("upstream", "77.6093", "2026-03-04"), (fetched.Source, fetched.Value, fetched.EffectiveDate));
        Assert.Equal(1, cbr.Calls);
        Assert.Equal(("redis", "77.6093", "2026-03-04", 1), (shared.Source, shared.Value, shared.EffectiveDate, shared.Nominal));
        Assert.Equal("77.6093", afterRedisDied.Value);
        Assert.Contains("quote-cache", health, StringComparison.Ordinal);
        Assert.Contains("Degraded", health, StringComparison.Ordinal);
    }

    /// <summary>
    /// Calls until <paramref name="done"/> holds for the answer (60 s, generous for a loaded CI machine; the asserts
    /// then say what was missed). NOT_FOUND counts as "not yet": the reader answers it while its Redis connection is
    /// still being established.
    /// </summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T>> call, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var value = await call();
                if (done(value) || DateTime.UtcNow > deadline)
                {
                    return value;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && DateTime.UtcNow <= deadline)
            {
                // not shared yet
            }

            await Task.Delay(100);
        }
    }
}
