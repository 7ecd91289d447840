using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;
using Grpc.Net.Client;

namespace Calc.Reliability.Tests;

/// <summary>
/// Two real server processes sharing a real redis-server agree after an overwrite import: the replica that had
/// learnt the old value (in its in-process tier) answers the new one once the importing replica's change notice
/// arrives through Redis pub/sub — without a restart.
/// </summary>
public sealed class RedisReplicaAgreementTests
{
    private const string Day = "2024-03-30";

    [RedisFact]
    public async Task OverwriteImportOnOneReplica_TheOtherStopsServingTheOldValue()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var environment = new Dictionary<string, string>
        {
            // sharing is tested here, not fail-open timeouts: a loaded CI machine may need more than the 250 ms default
            ["Redis__Configuration"] = redis.Configuration + ",connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000,name=calc-agree",
            ["MarketData__CacheTimeout"] = "00:00:10",
        };
        await using var importer = await ServerProcess.StartAsync(environment);
        await using var reader = await ServerProcess.StartAsync(environment);
        using var importerChannel = GrpcChannel.ForAddress(importer.GrpcAddress);
        using var readerChannel = GrpcChannel.ForAddress(reader.GrpcAddress);
        var imports = new QuoteService.QuoteServiceClient(importerChannel);
        var reads = new QuoteService.QuoteServiceClient(readerChannel);
        var request = new GetCbrRateRequest { Currency = "USD", Date = Day };

        // the reader learns 92.3660 from Redis and then serves it from memory
        var first = await imports.ImportCbrRatesAsync(Rates("92.3660", overwrite: false));
        var shared = await UntilAsync(() => reads.GetCbrRateAsync(request).ResponseAsync, r => r.Source == "redis");
        var remembered = await reads.GetCbrRateAsync(request);

        // a correction on the importer: the reader must stop answering the old value
        var correction = await imports.ImportCbrRatesAsync(Rates("92.4000", overwrite: true));
        var corrected = await UntilAsync(() => reads.GetCbrRateAsync(request).ResponseAsync, r => r.Value == "92.4000");
        var settled = await reads.GetCbrRateAsync(request);

        Assert.Equal(1, first.Added);
        Assert.Equal(1, correction.Replaced);
        Assert.Equal(("redis", "92.3660"), (shared.Source, shared.Value));
        Assert.Equal(("memory", "92.3660"), (remembered.Source, remembered.Value));
        Assert.Equal(("redis", "92.4000"), (corrected.Source, corrected.Value));
        Assert.Equal(("memory", "92.4000"), (settled.Source, settled.Value));
    }

    private static ImportCbrRatesRequest Rates(string value, bool overwrite) => new()
    {
        Overwrite = overwrite,
        Rates = { new CbrRateRow { Currency = "USD", EffectiveDate = Day, Nominal = 1, Value = value } },
    };

    /// <summary>
    /// Calls until <paramref name="done"/> holds (30 s: on a loaded CI machine the write-through and the notice take a
    /// moment); NOT_FOUND counts as "not yet" (the value is not in Redis yet). Returns the last answer.
    /// </summary>
    private static async Task<CbrRate> UntilAsync(Func<Task<CbrRate>> call, Func<CbrRate, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        CbrRate? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await call();
                if (done(last))
                {
                    return last;
                }
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                // not written through yet
            }

            await Task.Delay(100);
        }

        return last ?? throw new TimeoutException("no answer within 30 s");
    }
}
