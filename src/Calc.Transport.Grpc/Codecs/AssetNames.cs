namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// Asset codes decoded without allocating: a batch names a handful of assets ("BTC", "ETH") thousands of
/// times, so each distinct short code is decoded once per process and shared. Bounded: past
/// <see cref="Capacity"/> distinct codes (or for long ones) strings are allocated as usual, so hostile input
/// cannot grow the table. Lock-free reads of a copy-on-write array.
/// </summary>
internal static class AssetNames
{
    public const int Capacity = 64;
    private const int MaxLength = 16;
    private static readonly Lock Gate = new();
    private static Entry[] _entries = [];

    /// <summary>The string of a valid UTF-8 asset code, shared with every earlier batch that named it.</summary>
    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        var entries = Volatile.Read(ref _entries);
        foreach (var entry in entries)
        {
            if (utf8.SequenceEqual(entry.Utf8))
            {
                return entry.Text;
            }
        }

        var text = WireWrite.Utf8.GetString(utf8);
        if (utf8.Length <= MaxLength && entries.Length < Capacity)
        {
            Add(utf8.ToArray(), text);
        }

        return text;
    }

    private static void Add(byte[] utf8, string text)
    {
        lock (Gate)
        {
            var entries = _entries;
            if (entries.Length >= Capacity || Array.Exists(entries, e => e.Utf8.AsSpan().SequenceEqual(utf8)))
            {
                return;
            }

            Volatile.Write(ref _entries, [.. entries, new Entry(utf8, text)]);
        }
    }

    private sealed record Entry(byte[] Utf8, string Text);
}
