using System.Collections.Concurrent;

namespace Calc.Application.MarketData;

/// <summary>
/// A bounded in-process map of immutable (final) values. Two generations: writes go to the current one;
/// when it holds <c>capacity</c> entries it becomes the previous one and the older previous one is dropped.
/// A hit in the previous generation is promoted, so values in use survive (an approximation of LRU with
/// lock-free reads). Nothing expires: a final close or rate never changes.
/// </summary>
public sealed class GenerationalCache<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly int _capacity;
    private readonly Lock _rotateLock = new();
    private volatile ConcurrentDictionary<TKey, TValue> _current = new();
    private volatile ConcurrentDictionary<TKey, TValue> _previous = new();
    private int _currentCount; // maintained here: ConcurrentDictionary.Count takes every lock

    public GenerationalCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Entries held in both generations (a key may be counted twice while being promoted).</summary>
    public int Count => _current.Count + _previous.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_current.TryGetValue(key, out value!))
        {
            return true;
        }

        if (_previous.TryGetValue(key, out value!))
        {
            Set(key, value);
            return true;
        }

        return false;
    }

    public void Set(TKey key, TValue value)
    {
        var current = _current;
        if (!current.TryAdd(key, value))
        {
            current[key] = value;
            return;
        }

        if (Interlocked.Increment(ref _currentCount) >= _capacity)
        {
            lock (_rotateLock)
            {
                if (ReferenceEquals(current, _current))
                {
                    _previous = current;
                    _current = new ConcurrentDictionary<TKey, TValue>();
                    Volatile.Write(ref _currentCount, 0);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_rotateLock)
        {
            _current = new ConcurrentDictionary<TKey, TValue>();
            _previous = new ConcurrentDictionary<TKey, TValue>();
            Volatile.Write(ref _currentCount, 0);
        }
    }
}
