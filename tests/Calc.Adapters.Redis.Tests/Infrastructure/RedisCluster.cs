using System.Diagnostics;
using System.Globalization;

namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on 127.0.0.1: <c>masters</c> primaries, each with <c>replicasPerMaster</c> replicas
/// (redis-server <c>--cluster-enabled yes</c>, joined by <c>redis-cli --cluster create</c>), a short node timeout so a
/// killed primary fails over within seconds. Every node is a <see cref="RedisServer"/> (its own port, bus port and
/// dir), so tests can kill and restart single nodes. Reusable by other suites: link this file with RedisServer.cs.
/// </summary>
internal sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>How long a node may be unreachable before the others fail it over.</summary>
    public const int NodeTimeoutMs = 1000;

    private RedisCluster(IReadOnlyList<RedisServer> nodes) => Nodes = nodes;

    /// <summary>All nodes, primaries first as created (the roles change after a failover: ask <see cref="PrimaryPortsAsync"/>).</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>A StackExchange.Redis configuration naming every node (the client discovers the topology).</summary>
    public string Configuration => string.Join(',', Nodes.Select(n => n.Configuration));

    public static string? FindCli() => FindOnPath("redis-cli");

    public static async Task<RedisCluster> StartAsync(int masters = 3, int replicasPerMaster = 1)
    {
        var cli = FindCli() ?? throw new InvalidOperationException("redis-cli is not on PATH (Debian: apt-get install redis-tools); Redis Cluster test cannot run");
        var nodes = new List<RedisServer>();
        try
        {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++)
            {
                int busPort = RedisServer.FreePort();
                nodes.Add(await RedisServer.StartWithConfigFileAsync(_ => "",
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", NodeTimeoutMs.ToString(CultureInfo.InvariantCulture),
                    "--cluster-port", busPort.ToString(CultureInfo.InvariantCulture),
                    "--cluster-replica-validity-factor", "0"));
            }

            var args = new List<string> { "--cluster", "create" };
            args.AddRange(nodes.Select(n => n.Configuration));
            args.AddRange(["--cluster-replicas", replicasPerMaster.ToString(CultureInfo.InvariantCulture), "--cluster-yes"]);
            var (code, output) = await RunAsync(cli, args);
            if (code != 0)
            {
                throw new InvalidOperationException("redis-cli --cluster create failed: " + output);
            }

            var cluster = new RedisCluster(nodes);
            await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Waits until every running node reports <c>cluster_state:ok</c> and agrees on the primaries.</summary>
    public async Task WaitUntilOkAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < timeout)
        {
            bool ok = true;
            foreach (var node in Nodes.Where(n => n.IsRunning))
            {
                last = (await CliAsync(node, "CLUSTER", "INFO")).Output;
                ok &= last.Contains("cluster_state:ok", StringComparison.Ordinal);
            }

            if (ok)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Redis Cluster not ok after " + timeout + ": " + last);
    }

    /// <summary>Ports of the nodes that are primaries now, as a running node sees them.</summary>
    public async Task<IReadOnlyList<int>> PrimaryPortsAsync()
    {
        var node = Nodes.First(n => n.IsRunning);
        var (_, output) = await CliAsync(node, "CLUSTER", "NODES");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 2 && f[2].Contains("master", StringComparison.Ordinal) && !f[2].Contains("fail", StringComparison.Ordinal))
            .Select(f => int.Parse(f[1].Split('@')[0].Split(':')[1], CultureInfo.InvariantCulture))
            .ToArray();
    }

    /// <summary>Runs one redis-cli command against <paramref name="node"/>.</summary>
    public static Task<(int Code, string Output)> CliAsync(RedisServer node, params string[] command)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", node.Port.ToString(CultureInfo.InvariantCulture) };
        args.AddRange(command);
        return RunAsync(FindCli()!, args);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
