using System.Diagnostics;
using System.Globalization;

namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>
/// A real Sentinel deployment on 127.0.0.1: one primary, one replica and three sentinels (quorum 2) watching
/// service <see cref="ServiceName"/>, with short timeouts so a failover completes within seconds. Clients connect
/// through the sentinels (<see cref="Configuration"/>: the sentinel endpoints and <c>serviceName</c>).
/// </summary>
internal sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string ServiceName = "calc";

    private RedisSentinelSet(RedisServer primary, RedisServer replica, IReadOnlyList<RedisServer> sentinels)
    {
        Primary = primary;
        Replica = replica;
        Sentinels = sentinels;
    }

    /// <summary>The primary at start (after a failover it is the replica).</summary>
    public RedisServer Primary { get; }

    public RedisServer Replica { get; }

    public IReadOnlyList<RedisServer> Sentinels { get; }

    public string Configuration => string.Join(',', Sentinels.Select(s => s.Configuration)) + ",serviceName=" + ServiceName;

    public static async Task<RedisSentinelSet> StartAsync()
    {
        var started = new List<RedisServer>();
        try
        {
            var primary = await RedisServer.StartNewAsync();
            started.Add(primary);
            var replica = await RedisServer.StartNewAsync("--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
            started.Add(replica);
            var sentinels = new List<RedisServer>();
            for (int i = 0; i < 3; i++)
            {
                var sentinel = await RedisServer.StartWithConfigFileAsync(_ => string.Join('\n',
                    $"sentinel monitor {ServiceName} 127.0.0.1 {primary.Port.ToString(CultureInfo.InvariantCulture)} 2",
                    $"sentinel down-after-milliseconds {ServiceName} 1000",
                    $"sentinel failover-timeout {ServiceName} 5000",
                    $"sentinel parallel-syncs {ServiceName} 1",
                    ""), "--sentinel");
                started.Add(sentinel);
                sentinels.Add(sentinel);
            }

            var set = new RedisSentinelSet(primary, replica, sentinels);
            await set.WaitUntilAsync(async () =>
            {
                foreach (var s in sentinels)
                {
                    var (_, replicas) = await RedisCluster.CliAsync(s, "SENTINEL", "REPLICAS", ServiceName);
                    var (_, others) = await RedisCluster.CliAsync(s, "SENTINEL", "SENTINELS", ServiceName);
                    if (!replicas.Contains(replica.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                        || others.Split('\n').Count(l => l.Trim() == "name") < 2)
                    {
                        return false;
                    }
                }

                return true;
            }, "every sentinel knows the replica and the other sentinels", TimeSpan.FromSeconds(60));
            return set;
        }
        catch
        {
            foreach (var s in started)
            {
                await s.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The port of the primary the sentinels announce now.</summary>
    public async Task<int> PrimaryPortAsync()
    {
        var (_, output) = await RedisCluster.CliAsync(Sentinels[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName);
        return int.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Asks a sentinel for a failover (<c>SENTINEL FAILOVER</c>) and waits until the sentinels announce the new primary.</summary>
    public async Task FailoverAsync()
    {
        int before = await PrimaryPortAsync();
        var (_, reply) = await RedisCluster.CliAsync(Sentinels[0], "SENTINEL", "FAILOVER", ServiceName);
        if (!reply.StartsWith("OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("SENTINEL FAILOVER: " + reply);
        }

        await WaitUntilAsync(async () => await PrimaryPortAsync() != before, "the sentinels announce a new primary", TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in Sentinels)
        {
            await s.DisposeAsync();
        }

        await Replica.DisposeAsync();
        await Primary.DisposeAsync();
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("not within " + timeout + ": " + what);
            }

            await Task.Delay(100);
        }
    }
}
