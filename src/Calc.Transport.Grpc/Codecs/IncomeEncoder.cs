using System.Buffers;
using Calc.Application.Income;
using Calc.Domain.Errors;
using Calc.Domain.Money;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// The results of one chunk, encoded once (at <c>Measure</c>) into pooled bytes and copied out at
/// <c>Write</c>; the tail (totals, rules_version, provenances) is a small generated message serialised after them.
/// </summary>
internal sealed class EncodedResults(PooledBufferWriter results, byte[] tail)
{
    public PooledBufferWriter Results { get; } = results;

    public byte[] Tail { get; } = tail;

    public int Length => Results.WrittenSpan.Length + Tail.Length;
}

/// <summary>
/// Encodes calc.v1.IncomeResult messages from the session's outcomes and the request's receipts, byte for
/// byte as Google.Protobuf serialises the equivalent generated messages: fields in number order, proto3
/// defaults omitted, strings UTF-8, int32 negatives as 10-byte varints, the oneof case written even when
/// its message is empty. Per receipt it allocates nothing.
/// </summary>
internal static class IncomeEncoder
{
    private const byte ResultTag = 0x0A;                    // repeated IncomeResult results = 1 (response and chunk alike)
    private const byte ReceiptIdTag = 0x0A, IncomeTag = 0x12, ErrorTag = 0x1A;
    private const byte DateTag = 0x0A, AssetTag = 0x12, AmountTag = 0x1A, RubTag = 0x22, ProvenanceTag = 0x2A, IndexTag = 0x30;
    private const byte CodeTag = 0x0A, ReasonTag = 0x12, MessageTag = 0x1A, FieldTag = 0x22;
    private const int DateLength = 10;                       // YYYY-MM-DD

    /// <summary>The out-of-range rewrite of a missing received_at, as both answer paths give it.</summary>
    public static CalcError ResultError(CalcError error, bool timestampOutOfRange) =>
        error.Field == "received_at" && timestampOutOfRange
            ? error with { Reason = Reasons.InvalidTimestamp, Message = "received_at is outside the Timestamp range (0001-01-01 to 9999-12-31)" }
            : error;

    /// <summary>Encodes every result of <paramref name="chunk"/> as field 1 of the enclosing message.</summary>
    public static PooledBufferWriter EncodeResults(ReceiptBatch receipts, IncomeChunk chunk, V1.Provenance[]? inline)
    {
        var outcomes = chunk.Outcomes;
        if (outcomes.Length != receipts.Count)
        {
            throw new InvalidOperationException($"{outcomes.Length} outcomes for {receipts.Count} receipts");
        }

        byte[][]? inlineBytes = inline is null ? null : Array.ConvertAll(inline, p => p.ToByteArray());
        var output = new PooledBufferWriter(outcomes.Length * 80);
        try
        {
            for (int i = 0; i < outcomes.Length; i++)
            {
                ref readonly var receipt = ref receipts.At(i);
                ref readonly var outcome = ref outcomes[i];
                if (outcome.Error is { } error)
                {
                    WriteError(output, receipt.Id, ResultError(error, receipts.TimestampOutOfRange(i)));
                }
                else
                {
                    WriteIncome(output, receipt, outcome, inlineBytes?[outcome.PricingIndex - chunk.FirstNewPricing]);
                }
            }

            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static void WriteIncome(PooledBufferWriter output, in ReceiptInput receipt, in IncomeOutcome outcome, byte[]? provenance)
    {
        Span<byte> rub = stackalloc byte[DecimalText.MaxFormattedLength];
        int rubLength = DecimalText.FormatUtf8(outcome.IncomeRub, rub);

        int idLength = WireWrite.Utf8Length(receipt.Id);
        int assetLength = WireWrite.Utf8Length(receipt.Asset);
        int amountLength = WireWrite.Utf8Length(receipt.Amount);
        int income = WireWrite.FieldSize(DateLength)
            + WireWrite.StringFieldSize(assetLength)
            + WireWrite.StringFieldSize(amountLength)
            + WireWrite.StringFieldSize(rubLength)
            + (provenance is null ? 0 : WireWrite.FieldSize(provenance.Length))
            + (outcome.PricingIndex == 0 ? 0 : 1 + WireWrite.Int32Size(outcome.PricingIndex));
        int result = WireWrite.StringFieldSize(idLength) + WireWrite.FieldSize(income);
        int total = WireWrite.FieldSize(result);

        var span = output.GetSpan(total);
        int n = WireWrite.WriteHeader(span, ResultTag, result);
        n += WireWrite.WriteString(span[n..], ReceiptIdTag, receipt.Id, idLength);
        n += WireWrite.WriteHeader(span[n..], IncomeTag, income);
        n += WireWrite.WriteHeader(span[n..], DateTag, DateLength);
        n += WriteDate(span[n..], outcome.IncomeDate);
        n += WireWrite.WriteString(span[n..], AssetTag, receipt.Asset, assetLength);
        n += WireWrite.WriteString(span[n..], AmountTag, receipt.Amount, amountLength);
        if (rubLength > 0)
        {
            n += WireWrite.WriteHeader(span[n..], RubTag, rubLength);
            rub[..rubLength].CopyTo(span[n..]);
            n += rubLength;
        }

        if (provenance is not null)
        {
            n += WireWrite.WriteHeader(span[n..], ProvenanceTag, provenance.Length);
            provenance.CopyTo(span[n..]);
            n += provenance.Length;
        }

        if (outcome.PricingIndex != 0)
        {
            span[n++] = IndexTag;
            n += WireWrite.WriteVarint(span[n..], (ulong)(long)outcome.PricingIndex);
        }

        output.Advance(n);
    }

    private static void WriteError(PooledBufferWriter output, string id, CalcError error)
    {
        string code = error.CodeName ?? "", reason = error.Reason ?? "", message = error.Message ?? "", field = error.Field ?? "";
        int idLength = WireWrite.Utf8Length(id);
        int codeLength = WireWrite.Utf8Length(code), reasonLength = WireWrite.Utf8Length(reason);
        int messageLength = WireWrite.Utf8Length(message), fieldLength = WireWrite.Utf8Length(field);
        int item = WireWrite.StringFieldSize(codeLength) + WireWrite.StringFieldSize(reasonLength)
            + WireWrite.StringFieldSize(messageLength) + WireWrite.StringFieldSize(fieldLength);
        int result = WireWrite.StringFieldSize(idLength) + WireWrite.FieldSize(item);
        int total = WireWrite.FieldSize(result);

        var span = output.GetSpan(total);
        int n = WireWrite.WriteHeader(span, ResultTag, result);
        n += WireWrite.WriteString(span[n..], ReceiptIdTag, id, idLength);
        n += WireWrite.WriteHeader(span[n..], ErrorTag, item);
        n += WireWrite.WriteString(span[n..], CodeTag, code, codeLength);
        n += WireWrite.WriteString(span[n..], ReasonTag, reason, reasonLength);
        n += WireWrite.WriteString(span[n..], MessageTag, message, messageLength);
        n += WireWrite.WriteString(span[n..], FieldTag, field, fieldLength);
        output.Advance(n);
    }

    /// <summary>YYYY-MM-DD (what IsoDate.ToText gives: four-digit year, zero-padded).</summary>
    private static int WriteDate(Span<byte> destination, DateOnly date)
    {
        int y = date.Year, m = date.Month, d = date.Day;
        destination[0] = (byte)('0' + (y / 1000));
        destination[1] = (byte)('0' + (y / 100 % 10));
        destination[2] = (byte)('0' + (y / 10 % 10));
        destination[3] = (byte)('0' + (y % 10));
        destination[4] = (byte)'-';
        destination[5] = (byte)('0' + (m / 10));
        destination[6] = (byte)('0' + (m % 10));
        destination[7] = (byte)'-';
        destination[8] = (byte)('0' + (d / 10));
        destination[9] = (byte)('0' + (d % 10));
        return DateLength;
    }

    /// <summary>Copies the encoded bytes to <paramref name="output"/>, then returns the pooled storage (and the receipts').</summary>
    public static void CopyOut(EncodedResults encoded, ReadOnlySpan<byte> prefix, IBufferWriter<byte> output, ReceiptBatch receipts)
    {
        output.Write(prefix);
        output.Write(encoded.Results.WrittenSpan);
        output.Write(encoded.Tail);
        encoded.Results.Dispose();
        receipts.Release();
    }
}
