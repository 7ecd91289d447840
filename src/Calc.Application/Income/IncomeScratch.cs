using Calc.Application.Valuation;

namespace Calc.Application.Income;

/// <summary>
/// The per-chunk working tables of <see cref="IncomeSession"/> (ids seen, distinct price keys, asset codes), kept
/// between calls so a batch does not allocate them anew: a chunk rents one, clears it, and returns it.
/// </summary>
internal sealed class IncomeScratch
{
    /// <summary>Asset codes past this many are found through <see cref="AssetIndex"/> instead of a linear scan.</summary>
    public const int LinearAssets = 8;

    public HashSet<string> SeenIds { get; } = new(StringComparer.Ordinal);

    /// <summary>(asset slot &lt;&lt; 32 | day number) → index of the chunk's distinct key.</summary>
    public Dictionary<long, int> KeyIndex { get; } = [];

    /// <summary>Valid asset codes of the chunk, by slot.</summary>
    public List<string> Assets { get; } = [];

    public Dictionary<string, int> AssetIndex { get; } = new(StringComparer.Ordinal);

    /// <summary>The chunk's distinct (asset, day) price keys, in order of first appearance.</summary>
    public List<PriceKey> Keys { get; } = [];

    /// <summary>Forgets the chunk (drops references to the caller's strings); capacity is kept.</summary>
    public void Clear()
    {
        SeenIds.Clear();
        KeyIndex.Clear();
        Assets.Clear();
        AssetIndex.Clear();
        Keys.Clear();
    }
}

/// <summary>
/// A few <see cref="IncomeScratch"/>es shared by the calls of one <see cref="IncomeRecognition"/>: lock-free,
/// bounded (one per core), and a table grown by an unusually large batch is dropped rather than kept.
/// </summary>
internal sealed class IncomeScratchPool(int maxItemsKept)
{
    private readonly IncomeScratch?[] _items = new IncomeScratch?[Math.Clamp(Environment.ProcessorCount, 1, 64)];

    public IncomeScratch Rent()
    {
        for (int i = 0; i < _items.Length; i++)
        {
            if (Interlocked.Exchange(ref _items[i], null) is { } scratch)
            {
                return scratch;
            }
        }

        return new IncomeScratch();
    }

    /// <param name="scratch">A cleared scratch.</param>
    /// <param name="itemsUsed">The size of the chunk it served: tables sized past the limit are not kept.</param>
    public void Return(IncomeScratch scratch, int itemsUsed)
    {
        if (itemsUsed > maxItemsKept)
        {
            return;
        }

        for (int i = 0; i < _items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _items[i], scratch, null) is null)
            {
                return;
            }
        }
    }
}
