using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// What one run of a scenario measured. Items are receipts (income scenarios) or calls (unary); rates are
/// per wall-clock second of the measured phase. Server CPU and peak RSS come from /proc of the server
/// process; client figures from this process.
/// </summary>
public sealed record ScenarioReport
{
    public required string Scenario { get; init; }
    public required string Unit { get; init; }
    public long Items { get; init; }
    public long Calls { get; init; }
    public long Errors { get; init; }
    public double Seconds { get; init; }
    public Percentiles Latency { get; init; } = Percentiles.None;
    public double ServerCpuSeconds { get; init; }
    public double ServerPeakRssMb { get; init; }
    public double ClientCpuSeconds { get; init; }
    public double ClientAllocBytesPerCall { get; init; }
    public string Notes { get; init; } = "";

    /// <summary>Requests the loopback upstream fake answered during the measured phase (cold-start scenario only).</summary>
    public int? UpstreamRequests { get; init; }

    /// <summary>Those requests (path and query), for a reader who wants to see what was fetched.</summary>
    public IReadOnlyList<string> UpstreamRequestLog { get; init; } = [];

    /// <summary>Provenance sources of the valued items in the measured phase ("import", "redis", "upstream"…), where the scenario counts them.</summary>
    public IReadOnlyDictionary<string, int> Sources { get; init; } = new Dictionary<string, int>();

    public double ItemsPerSecond => Seconds > 0 ? Items / Seconds : 0;

    public double CallsPerSecond => Seconds > 0 ? Calls / Seconds : 0;

    /// <summary>Server CPU use as cores (2.0 = both cores of this machine busy).</summary>
    public double ServerCores => Seconds > 0 ? ServerCpuSeconds / Seconds : 0;

    public static string Header =>
        "| scenario | items | calls | errors | s | items/s | calls/s | p50 ms | p90 ms | p99 ms | server CPU (cores) | server peak RSS MB | client CPU s | client alloc B/call | notes |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Items:N0} {Unit} | {Calls:N0} | {Errors} | {Seconds:F2} | {ItemsPerSecond:N0} | {CallsPerSecond:N0} | {Latency.P50:F2} | {Latency.P90:F2} | {Latency.P99:F2} | {ServerCpuSeconds:F2} ({ServerCores:F2}) | {ServerPeakRssMb:F0} | {ClientCpuSeconds:F2} | {ClientAllocBytesPerCall:N0} | {Notes} |");

    public string Json() => JsonSerializer.Serialize(new
    {
        Scenario, Unit, Items, Calls, Errors, Seconds, ItemsPerSecond, CallsPerSecond,
        p50Ms = Latency.P50, p90Ms = Latency.P90, p99Ms = Latency.P99,
        ServerCpuSeconds, ServerCores, ServerPeakRssMb, ClientCpuSeconds, ClientAllocBytesPerCall, Notes,
    });

    /// <summary>The run whose items/s is the median (runs sorted by throughput).</summary>
    public static ScenarioReport Median(IReadOnlyList<ScenarioReport> runs)
    {
        var sorted = runs.OrderBy(r => r.ItemsPerSecond).ToArray();
        var median = sorted[(sorted.Length - 1) / 2];
        return runs.Count == 1 ? median : median with { Scenario = median.Scenario + $" (median of {runs.Count})" };
    }
}

/// <summary>Brackets a measured phase: server and client resource use between <see cref="Start"/> and <see cref="Stop"/>.</summary>
public sealed class Measurement
{
    private readonly ServerUnderTest? _server;
    private readonly ProcStats _serverBefore;
    private readonly double[] _cpuBefore = [];
    private readonly TimeSpan _clientCpuBefore;
    private readonly long _clientAllocBefore;
    private readonly long _startTimestamp;

    private Measurement(ServerUnderTest? server)
    {
        _server = server;
        if (server is not null)
        {
            server.ResetPeak();
            _serverBefore = server.Stats();
            _cpuBefore = [.. server.Processes.Select(p => ProcStats.Read(p.Pid).CpuSeconds)];
        }

        _clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        _clientAllocBefore = GC.GetTotalAllocatedBytes(precise: false);
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public static Measurement Start(ServerUnderTest? server) => new(server);

    public ScenarioReport Stop(string scenario, string unit, long items, long calls, long errors, Percentiles latency, string notes = "")
    {
        double seconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        double clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - _clientCpuBefore).TotalSeconds;
        long alloc = GC.GetTotalAllocatedBytes(precise: false) - _clientAllocBefore;
        var after = _server?.Stats() ?? default;
        if (_server is { Processes.Count: > 1 } several)
        {
            // attached to several processes (replicas, balancer): each one's share, in CPU seconds
            notes += "; CPU s by process: " + string.Join(", ", several.Processes.Select((p, i) =>
                string.Create(CultureInfo.InvariantCulture, $"{p.Name} {ProcStats.Read(p.Pid).CpuSeconds - _cpuBefore[i]:F2}")));
        }

        return new ScenarioReport
        {
            Scenario = scenario,
            Unit = unit,
            Items = items,
            Calls = calls,
            Errors = errors,
            Seconds = seconds,
            Latency = latency,
            ServerCpuSeconds = after.CpuSeconds - _serverBefore.CpuSeconds,
            ServerPeakRssMb = after.PeakRssBytes / (1024.0 * 1024.0),
            ClientCpuSeconds = clientCpu,
            ClientAllocBytesPerCall = calls > 0 ? (double)alloc / calls : 0,
            Notes = notes,
        };
    }
}
