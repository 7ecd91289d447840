using System.Collections.Concurrent;

namespace Calc.Application.MarketData;

/// <summary>
/// Short-lived answers: "no data" (negative caching) and provisional values. Each entry carries its own
/// expiry; expired entries are ignored on read and swept when the map grows past <c>sweepAbove</c>.
/// </summary>
public sealed class ExpiringCache<TKey, TValue>(TimeProvider time, int sweepAbove = 100_000)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, long ExpiresAt)> _map = new();

    public int Count => _map.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetTimestamp())
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        long now = time.GetTimestamp();
        _map[key] = (value, now + (long)(ttl.TotalSeconds * time.TimestampFrequency));
        if (_map.Count > sweepAbove)
        {
            foreach (var kv in _map)
            {
                if (kv.Value.ExpiresAt <= now)
                {
                    _map.TryRemove(kv);
                }
            }
        }
    }

    public void Remove(TKey key) => _map.TryRemove(key, out _);
}
