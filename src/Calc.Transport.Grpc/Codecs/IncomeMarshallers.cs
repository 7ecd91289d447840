using Google.Protobuf;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>
/// Contextual marshallers (grpc-dotnet's <see cref="DeserializationContext.PayloadAsReadOnlySequence"/> and
/// <see cref="SerializationContext.GetBufferWriter"/>) over the hand-written income codec: the binary gRPC
/// path of calc.v1.IncomeService reads receipts straight into a pooled <see cref="ReceiptBatch"/> and writes
/// results straight from the session's outcomes, byte for byte as the generated messages would.
/// </summary>
public static class IncomeMarshallers
{
    private const byte ResultsTag = 0x0A; // RecognizeIncomeStreamResponse.results = 1

    public static Marshaller<IncomeBatchRequest> BatchRequest { get; } =
        Marshallers.Create(SerializeBatchRequest, static c => IncomeDecoder.DecodeBatch(c.PayloadAsReadOnlySequence()));

    public static Marshaller<IncomeBatchReply> BatchReply { get; } = Marshallers.Create(SerializeBatchReply, DeserializeBatchReply);

    public static Marshaller<IncomeStreamMessage> StreamRequest { get; } =
        Marshallers.Create(SerializeStreamRequest, static c => IncomeDecoder.DecodeStreamMessage(c.PayloadAsReadOnlySequence()));

    public static Marshaller<IncomeStreamReply> StreamReply { get; } = Marshallers.Create(SerializeStreamReply, DeserializeStreamReply);

    private static void SerializeBatchReply(IncomeBatchReply message, SerializationContext context)
    {
        var encoded = message.Encoded ??= new EncodedResults(
            IncomeEncoder.EncodeResults(message.Receipts, message.Chunk, message.InlineProvenances), message.Tail.ToByteArray());
        context.SetPayloadLength(encoded.Length);
        IncomeEncoder.CopyOut(encoded, [], context.GetBufferWriter(), message.Receipts);
        context.Complete();
    }

    private static void SerializeStreamReply(IncomeStreamReply message, SerializationContext context)
    {
        if (message.Summary is { } summary)
        {
            int size = summary.CalculateSize();
            context.SetPayloadLength(size);
            var writer = context.GetBufferWriter();
            summary.WriteTo(writer.GetSpan(size)[..size]);
            writer.Advance(size);
            context.Complete();
            return;
        }

        var encoded = message.Encoded ??= new EncodedResults(
            IncomeEncoder.EncodeResults(message.Receipts!, message.Chunk!, null), message.ChunkTail!.ToByteArray());
        Span<byte> prefix = stackalloc byte[6];
        int n = WireWrite.WriteHeader(prefix, ResultsTag, encoded.Length);
        context.SetPayloadLength(n + encoded.Length);
        IncomeEncoder.CopyOut(encoded, prefix[..n], context.GetBufferWriter(), message.Receipts!);
        context.Complete();
    }

    // The server only reads requests and writes replies; these directions exist because a Method needs both.
    private static void SerializeBatchRequest(IncomeBatchRequest message, SerializationContext context) =>
        throw new NotSupportedException("the income codec only decodes requests (server side)");

    private static void SerializeStreamRequest(IncomeStreamMessage message, SerializationContext context) =>
        throw new NotSupportedException("the income codec only decodes requests (server side)");

    private static IncomeBatchReply DeserializeBatchReply(DeserializationContext context) =>
        throw new NotSupportedException("the income codec only encodes replies (server side)");

    private static IncomeStreamReply DeserializeStreamReply(DeserializationContext context) =>
        throw new NotSupportedException("the income codec only encodes replies (server side)");
}
