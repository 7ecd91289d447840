using System.Collections;

namespace Calc.Transport.Grpc;

/// <summary>
/// Request or response metadata. Keys are lower-case ASCII; keys ending in <c>-bin</c> carry binary values
/// (base64 on the wire), all others ASCII strings. Order and duplicates are kept.
/// </summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    public int Count => _entries.Count;

    public void Add(string key, string value)
    {
        var k = Normalize(key);
        if (k.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"metadata key '{k}' ends with -bin and needs a byte[] value", nameof(key));
        }

        _entries.Add(new Entry(k, value, null));
    }

    public void Add(string key, byte[] value)
    {
        var k = Normalize(key);
        if (!k.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"metadata key '{k}' carries bytes and must end with -bin", nameof(key));
        }

        _entries.Add(new Entry(k, null, value));
    }

    /// <summary>The last entry with <paramref name="key"/>, or null.</summary>
    public Entry? Get(string key)
    {
        var k = Normalize(key);
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Key == k)
            {
                return _entries[i];
            }
        }

        return null;
    }

    public string? GetValue(string key) => Get(key)?.Value;

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string Normalize(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key.ToLowerInvariant();
    }

    /// <summary>One metadata entry: <see cref="Value"/> for ASCII keys, <see cref="ValueBytes"/> for <c>-bin</c> keys.</summary>
    public sealed record Entry(string Key, string? Value, byte[]? ValueBytes)
    {
        public bool IsBinary => ValueBytes is not null;
    }
}
