using System.Collections.Concurrent;

namespace Calc.Application.MarketData.Upstream;

/// <summary>The last observed outcome of one upstream.</summary>
public sealed record UpstreamStatus(string Source, bool Reachable, DateTimeOffset At, string? Error);

/// <summary>
/// What readiness knows about each configured upstream: the outcome of its last call (lookups and the
/// background sync both report here). A source never called yet is reported as unknown, not failing.
/// </summary>
public sealed class UpstreamHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, UpstreamStatus?> _sources = new(StringComparer.Ordinal);

    /// <summary>Declares a configured source, so that health lists it before its first call.</summary>
    public void Register(string source) => _sources.TryAdd(source, null);

    public void Succeeded(string source) => _sources[source] = new UpstreamStatus(source, true, time.GetUtcNow(), null);

    public void Failed(string source, string error) => _sources[source] = new UpstreamStatus(source, false, time.GetUtcNow(), error);

    /// <summary>Every known source with its last status (null: not called yet).</summary>
    public IReadOnlyList<(string Source, UpstreamStatus? Status)> Snapshot() =>
        _sources.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToArray();
}
