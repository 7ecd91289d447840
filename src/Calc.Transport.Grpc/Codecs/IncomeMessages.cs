using System.Buffers;
using System.Collections;
using Calc.Application.Income;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// Receipts decoded from the wire, in pooled storage: the application's inputs plus, per receipt, whether the
/// client sent a <c>received_at</c> outside the Timestamp range (the input then has none, and the result
/// says INVALID_TIMESTAMP). Owned by one call; <see cref="Release"/> returns the storage once the answer
/// that echoes these receipts is written.
/// </summary>
public sealed class ReceiptBatch : IReadOnlyList<ReceiptInput>
{
    private ReceiptInput[] _items;
    private bool[] _outOfRange;
    private int _count;

    /// <summary>The decoder's memo of the previous receipt's wallet address and pool (they repeat).</summary>
    internal string? LastWallet;
    internal string? LastPool;

    internal ReceiptBatch(int capacity)
    {
        capacity = Math.Max(capacity, 4);
        _items = ArrayPool<ReceiptInput>.Shared.Rent(capacity);
        _outOfRange = ArrayPool<bool>.Shared.Rent(capacity);
    }

    public int Count => _count;

    public ReceiptInput this[int index] => (uint)index < (uint)_count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The receipt by reference (no copy of the 48-byte struct).</summary>
    internal ref readonly ReceiptInput At(int index) => ref _items.AsSpan(0, _count)[index];

    /// <summary>True when the receipt's received_at was present but outside 0001-01-01 … 9999-12-31 or its nanos out of range.</summary>
    internal bool TimestampOutOfRange(int index) => _outOfRange.AsSpan(0, _count)[index];

    internal void Add(in ReceiptInput receipt, bool timestampOutOfRange)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[_count] = receipt;
        _outOfRange[_count] = timestampOutOfRange;
        _count++;
    }

    private void Grow()
    {
        var items = ArrayPool<ReceiptInput>.Shared.Rent(_items.Length * 2);
        var flags = ArrayPool<bool>.Shared.Rent(_items.Length * 2);
        _items.AsSpan(0, _count).CopyTo(items);
        _outOfRange.AsSpan(0, _count).CopyTo(flags);
        ReturnStorage();
        _items = items;
        _outOfRange = flags;
    }

    /// <summary>Returns the storage to the pool; the batch is empty afterwards. Idempotent.</summary>
    public void Release()
    {
        ReturnStorage();
        _items = [];
        _outOfRange = [];
        _count = 0;
    }

    private void ReturnStorage()
    {
        if (_items.Length > 0)
        {
            // cleared: the pool must not keep the receipts' strings alive
            ArrayPool<ReceiptInput>.Shared.Return(_items, clearArray: true);
            ArrayPool<bool>.Shared.Return(_outOfRange);
        }
    }

    public IEnumerator<ReceiptInput> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>calc.v1.RecognizeIncomeRequest as the codec decodes it.</summary>
public sealed class IncomeBatchRequest(V1.ValuationPolicy? policy, ReceiptBatch receipts, bool inlineProvenance)
{
    public V1.ValuationPolicy? Policy { get; } = policy;

    public ReceiptBatch Receipts { get; } = receipts;

    public bool InlineProvenance { get; } = inlineProvenance;
}

/// <summary>
/// calc.v1.RecognizeIncomeResponse as the codec encodes it: one result per receipt from the chunk's outcomes
/// and the request's own fields, then <see cref="Tail"/> (totals, rules_version, provenances — a handful of
/// generated messages per call, written by Google.Protobuf; results are field 1, so they come first).
/// </summary>
public sealed class IncomeBatchReply(ReceiptBatch receipts, IncomeChunk chunk, V1.Provenance[]? inlineProvenances, V1.RecognizeIncomeResponse tail)
{
    public ReceiptBatch Receipts { get; } = receipts;

    public IncomeChunk Chunk { get; } = chunk;

    /// <summary>Set when the request asked for inline provenance: the chunk's pricings from <see cref="IncomeChunk.FirstNewPricing"/> on.</summary>
    public V1.Provenance[]? InlineProvenances { get; } = inlineProvenances;

    /// <summary>The response without results.</summary>
    public V1.RecognizeIncomeResponse Tail { get; } = tail;

    internal EncodedResults? Encoded { get; set; }
}

/// <summary>
/// calc.v1.RecognizeIncomeStreamRequest as the codec decodes it: the policy, or a chunk of receipts, or neither,
/// and <c>resume_from_chunk</c> (outside the oneof; meaningful on the first message only).
/// </summary>
public sealed class IncomeStreamMessage(V1.RecognizeIncomeStreamRequest.PayloadOneofCase payloadCase, V1.ValuationPolicy? policy, ReceiptBatch? receipts,
    long resumeFromChunk = 0)
{
    public V1.RecognizeIncomeStreamRequest.PayloadOneofCase PayloadCase { get; } = payloadCase;

    public V1.ValuationPolicy? Policy { get; } = policy;

    public ReceiptBatch? Receipts { get; } = receipts;

    /// <summary>The first request chunk whose results the client wants (0 = all): a resumed stream.</summary>
    public long ResumeFromChunk { get; } = resumeFromChunk;
}

/// <summary>
/// calc.v1.RecognizeIncomeStreamResponse: a chunk of results encoded like <see cref="IncomeBatchReply"/>
/// (with the chunk's new provenances and its chunk_index in <see cref="ChunkTail"/>, fields 2 and 3, which
/// follow the results on the wire), or the closing summary as a generated message.
/// </summary>
public sealed class IncomeStreamReply
{
    private IncomeStreamReply(ReceiptBatch? receipts, IncomeChunk? chunk, V1.IncomeResultChunk? chunkTail, V1.RecognizeIncomeStreamResponse? summary)
    {
        Receipts = receipts;
        Chunk = chunk;
        ChunkTail = chunkTail;
        Summary = summary;
    }

    public ReceiptBatch? Receipts { get; }

    public IncomeChunk? Chunk { get; }

    /// <summary>The results chunk without results (its provenances and chunk_index).</summary>
    public V1.IncomeResultChunk? ChunkTail { get; }

    /// <summary>The whole closing message, when this is the summary.</summary>
    public V1.RecognizeIncomeStreamResponse? Summary { get; }

    internal EncodedResults? Encoded { get; set; }

    public static IncomeStreamReply Results(ReceiptBatch receipts, IncomeChunk chunk, V1.IncomeResultChunk chunkTail) =>
        new(receipts, chunk, chunkTail, null);

    public static IncomeStreamReply Closing(V1.IncomeStreamSummary summary) =>
        new(null, null, null, new V1.RecognizeIncomeStreamResponse { Summary = summary });
}
