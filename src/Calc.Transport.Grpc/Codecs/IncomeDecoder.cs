using System.Buffers;
using System.Text.Unicode;
using Calc.Application.Income;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// Decodes RecognizeIncomeRequest / RecognizeIncomeStreamRequest straight from the payload bytes into a
/// <see cref="ReceiptBatch"/>: ids and amounts become strings, asset codes shared strings, received_at a
/// value; wallet_address, tx_id, pool and unknown fields are checked and skipped. Field semantics are
/// protobuf's: the last occurrence of a scalar wins, repeated occurrences of a message field merge, a oneof
/// takes the last case. Anything the fast path does not take (see <see cref="WireReader"/>) is parsed by the
/// generated parser instead, whose result or exception is then the answer.
/// </summary>
internal static class IncomeDecoder
{
    private const uint PolicyTag = 10, ReceiptsTag = 18, InlineProvenanceTag = 24;
    private const uint ResumeFromChunkTag = 24;          // RecognizeIncomeStreamRequest.resume_from_chunk = 3 (int64, varint)
    private const uint IdTag = 10, ReceivedAtTag = 18, AssetTag = 26, AmountTag = 34, WalletTag = 42, TxIdTag = 50, PoolTag = 58, OperationTag = 64;
    private const uint SecondsTag = 8, NanosTag = 16;
    private const long MinSeconds = -62_135_596_800L, MaxSeconds = 253_402_300_799L;

    public static IncomeBatchRequest DecodeBatch(in ReadOnlySequence<byte> payload)
    {
        var request = WithContiguous(payload, static data => TryDecodeBatch(data, out var r) ? r : null);
        return request ?? FromMessage(V1.RecognizeIncomeRequest.Parser.ParseFrom(payload));
    }

    public static IncomeStreamMessage DecodeStreamMessage(in ReadOnlySequence<byte> payload)
    {
        var message = WithContiguous(payload, static data => TryDecodeStreamMessage(data, out var m) ? m : null);
        return message ?? FromMessage(V1.RecognizeIncomeStreamRequest.Parser.ParseFrom(payload));
    }

    private static T? WithContiguous<T>(in ReadOnlySequence<byte> payload, Func<ReadOnlySpan<byte>, T?> decode) where T : class
    {
        if (payload.IsSingleSegment)
        {
            return decode(payload.FirstSpan);
        }

        int length = checked((int)payload.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            return decode(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The fast path alone: false when the payload is left to the generated parser.</summary>
    internal static bool TryDecodeBatch(ReadOnlySpan<byte> data, out IncomeBatchRequest? request)
    {
        request = null;
        var batch = new ReceiptBatch(EstimateReceipts(data.Length));
        V1.ValuationPolicy? policy = null;
        bool inline = false;
        var reader = new WireReader(data);
        bool ok = true;
        while (ok && !reader.End)
        {
            if (!reader.TryReadTag(out uint tag))
            {
                ok = false;
                break;
            }

            ReadOnlySpan<byte> body;
            switch (tag)
            {
                case PolicyTag:
                    ok = reader.TryReadLengthDelimited(out body) && TryMergePolicy(ref policy, body);
                    break;
                case ReceiptsTag:
                    ok = reader.TryReadLengthDelimited(out body) && TryReadReceipt(body, batch);
                    break;
                case InlineProvenanceTag:
                    ok = reader.TryReadVarint64(out ulong flag);
                    inline = flag != 0;
                    break;
                default:
                    ok = reader.TrySkip(tag);
                    break;
            }
        }

        if (!ok)
        {
            batch.Release();
            return false;
        }

        request = new IncomeBatchRequest(policy, batch, inline);
        return true;
    }

    /// <summary>The fast path alone: false when the payload is left to the generated parser.</summary>
    internal static bool TryDecodeStreamMessage(ReadOnlySpan<byte> data, out IncomeStreamMessage? message)
    {
        message = null;
        var payloadCase = V1.RecognizeIncomeStreamRequest.PayloadOneofCase.None;
        V1.ValuationPolicy? policy = null;
        ReceiptBatch? batch = null;
        long resumeFromChunk = 0;
        var reader = new WireReader(data);
        bool ok = true;
        while (ok && !reader.End)
        {
            if (!reader.TryReadTag(out uint tag))
            {
                ok = false;
                break;
            }

            ReadOnlySpan<byte> body;
            switch (tag)
            {
                case PolicyTag:
                    if (payloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Policy)
                    {
                        // a new oneof case replaces the old one
                        batch?.Release();
                        batch = null;
                        policy = null;
                        payloadCase = V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Policy;
                    }

                    ok = reader.TryReadLengthDelimited(out body) && TryMergePolicy(ref policy, body);
                    break;
                case ReceiptsTag:
                    if (payloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts)
                    {
                        policy = null;
                        batch = new ReceiptBatch(EstimateReceipts(data.Length));
                        payloadCase = V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts;
                    }

                    ok = reader.TryReadLengthDelimited(out body) && TryReadReceiptChunk(body, batch!);
                    break;
                case ResumeFromChunkTag:
                    // outside the oneof: the payload case stays; the last occurrence wins; int64 is the varint's 64 bits
                    ok = reader.TryReadVarint64(out ulong resume);
                    resumeFromChunk = unchecked((long)resume);
                    break;
                default:
                    ok = reader.TrySkip(tag);
                    break;
            }
        }

        if (!ok)
        {
            batch?.Release();
            return false;
        }

        message = new IncomeStreamMessage(payloadCase, policy, batch, resumeFromChunk);
        return true;
    }

    /// <summary>calc.v1.ReceiptChunk: repeated MiningReceipt receipts = 1.</summary>
    private static bool TryReadReceiptChunk(ReadOnlySpan<byte> data, ReceiptBatch batch)
    {
        var reader = new WireReader(data);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out uint tag))
            {
                return false;
            }

            bool ok = tag == IdTag
                ? reader.TryReadLengthDelimited(out var body) && TryReadReceipt(body, batch)
                : reader.TrySkip(tag);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The policy through the generated parser (one small message per call); repeated occurrences merge.</summary>
    private static bool TryMergePolicy(ref V1.ValuationPolicy? policy, ReadOnlySpan<byte> body)
    {
        try
        {
            policy ??= new V1.ValuationPolicy();
            policy.MergeFrom(body);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>calc.v1.MiningReceipt into one <see cref="ReceiptInput"/>.</summary>
    private static bool TryReadReceipt(ReadOnlySpan<byte> data, ReceiptBatch batch)
    {
        ReadOnlySpan<byte> id = default, asset = default, amount = default, wallet = default, txId = default, pool = default;
        ulong operation = 0;
        bool hasTime = false;
        long seconds = 0;
        int nanos = 0;
        var reader = new WireReader(data);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out uint tag))
            {
                return false;
            }

            ReadOnlySpan<byte> body;
            bool ok = tag switch
            {
                IdTag => reader.TryReadLengthDelimited(out id) && Utf8.IsValid(id),
                ReceivedAtTag => reader.TryReadLengthDelimited(out body) && TryMergeTimestamp(body, ref seconds, ref nanos) && (hasTime = true),
                AssetTag => reader.TryReadLengthDelimited(out asset) && Utf8.IsValid(asset),
                AmountTag => reader.TryReadLengthDelimited(out amount) && Utf8.IsValid(amount),
                // the monthly report's fields (valid UTF-8, as the generated parser requires)
                WalletTag => reader.TryReadLengthDelimited(out wallet) && Utf8.IsValid(wallet),
                TxIdTag => reader.TryReadLengthDelimited(out txId) && Utf8.IsValid(txId),
                PoolTag => reader.TryReadLengthDelimited(out pool) && Utf8.IsValid(pool),
                OperationTag => reader.TryReadVarint64(out operation),
                _ => reader.TrySkip(tag),
            };
            if (!ok)
            {
                return false;
            }
        }

        bool valid = hasTime && seconds is >= MinSeconds and <= MaxSeconds && nanos is >= 0 and <= 999_999_999;
        DateTimeOffset? receivedAt = valid ? ToInstant(seconds, nanos) : null;
        // wallet and pool repeat from receipt to receipt: the previous receipt's string is reused when equal
        string? walletText = wallet.IsEmpty ? null : Repeat(wallet, ref batch.LastWallet);
        string? poolText = pool.IsEmpty ? null : Repeat(pool, ref batch.LastPool);
        batch.Add(new ReceiptInput(Text(id), receivedAt, AssetNames.Get(asset), Text(amount), walletText, txId.IsEmpty ? null : Text(txId), poolText,
            (Domain.Income.MiningOperation)(int)operation), hasTime && !valid);
        return true;
    }

    /// <summary>google.protobuf.Timestamp merged into (seconds, nanos): fields present overwrite, unknown ones are skipped.</summary>
    private static bool TryMergeTimestamp(ReadOnlySpan<byte> data, ref long seconds, ref int nanos)
    {
        var reader = new WireReader(data);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out uint tag))
            {
                return false;
            }

            ulong value;
            switch (tag)
            {
                case SecondsTag:
                    if (!reader.TryReadVarint64(out value))
                    {
                        return false;
                    }

                    seconds = (long)value;
                    break;
                case NanosTag:
                    if (!reader.TryReadVarint64(out value))
                    {
                        return false;
                    }

                    nanos = unchecked((int)value); // int32: the low 32 bits, as protobuf reads it
                    break;
                default:
                    if (!reader.TrySkip(tag))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    /// <summary>What <see cref="Timestamp.ToDateTimeOffset"/> gives for an in-range value: UTC, nanos truncated to ticks.</summary>
    private static DateTimeOffset ToInstant(long seconds, int nanos) =>
        new(DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanos / 100), TimeSpan.Zero);

    private static string Text(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? string.Empty : WireWrite.Utf8.GetString(utf8);

    /// <summary>The text of <paramref name="utf8"/>, reusing <paramref name="last"/> when it is the same (ASCII) text.</summary>
    private static string Repeat(ReadOnlySpan<byte> utf8, ref string? last)
    {
        if (last is not null && last.Length == utf8.Length && System.Text.Ascii.Equals(utf8, last))
        {
            return last;
        }

        last = WireWrite.Utf8.GetString(utf8);
        return last;
    }

    /// <summary>A first guess of the receipt count (the batch grows if it is low): a typical receipt takes ~50–80 bytes.</summary>
    private static int EstimateReceipts(int payloadLength) => Math.Min(payloadLength / 48, 16_384) + 4;

    // ---- the reference path: a payload the fast path did not take, parsed by the generated parser ----

    internal static IncomeBatchRequest FromMessage(V1.RecognizeIncomeRequest request) =>
        new(request.Policy, FromMessages(request.Receipts), request.InlineProvenance);

    private static IncomeStreamMessage FromMessage(V1.RecognizeIncomeStreamRequest message) => new(
        message.PayloadCase,
        message.Policy,
        message.PayloadCase == V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts ? FromMessages(message.Receipts.Receipts) : null,
        message.ResumeFromChunk);

    private static ReceiptBatch FromMessages(IList<V1.MiningReceipt> receipts)
    {
        var batch = new ReceiptBatch(receipts.Count);
        foreach (var r in receipts)
        {
            bool valid = r.ReceivedAt is { } t && t.Seconds is >= MinSeconds and <= MaxSeconds && t.Nanos is >= 0 and <= 999_999_999;
            batch.Add(new ReceiptInput(r.Id, valid ? r.ReceivedAt!.ToDateTimeOffset() : null, r.Asset, r.Amount,
                NullIfEmpty(r.WalletAddress), NullIfEmpty(r.TxId), NullIfEmpty(r.Pool), (Domain.Income.MiningOperation)(int)r.OperationType), r.ReceivedAt is not null && !valid);
        }

        return batch;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
