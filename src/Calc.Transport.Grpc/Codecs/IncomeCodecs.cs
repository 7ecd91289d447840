using System.Buffers;
using Calc.Transport.Grpc.Binding;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Codecs;

/// <summary>calc.v1.IncomeService/RecognizeIncome on the binary path: <see cref="IncomeBatchRequest"/> in, <see cref="IncomeBatchReply"/> out.</summary>
public sealed class RecognizeIncomeCodec : GrpcMethodCodec<IncomeBatchRequest, IncomeBatchReply>
{
    private static readonly Messages Instance = new();

    public override IGrpcMessageReader<IncomeBatchRequest> Requests => Instance;

    public override IGrpcMessageWriter<IncomeBatchReply> Responses => Instance;

    private sealed class Messages : IGrpcMessageReader<IncomeBatchRequest>, IGrpcMessageWriter<IncomeBatchReply>
    {
        public IncomeBatchRequest Read(in ReadOnlySequence<byte> payload) => IncomeDecoder.DecodeBatch(payload);

        public int Measure(IncomeBatchReply message)
        {
            message.Encoded ??= new EncodedResults(
                IncomeEncoder.EncodeResults(message.Receipts, message.Chunk, message.InlineProvenances), message.Tail.ToByteArray());
            return message.Encoded.Length;
        }

        public void Write(IncomeBatchReply message, int size, IBufferWriter<byte> output)
        {
            var encoded = message.Encoded ?? throw new InvalidOperationException("Write before Measure");
            IncomeEncoder.CopyOut(encoded, [], output, message.Receipts);
        }
    }
}

/// <summary>calc.v1.IncomeService/StreamRecognizeIncome on the binary path: <see cref="IncomeStreamMessage"/> in, <see cref="IncomeStreamReply"/> out.</summary>
public sealed class StreamRecognizeIncomeCodec : GrpcMethodCodec<IncomeStreamMessage, IncomeStreamReply>
{
    private const byte ResultsTag = 0x0A; // RecognizeIncomeStreamResponse.results = 1
    private static readonly Messages Instance = new();

    public override IGrpcMessageReader<IncomeStreamMessage> Requests => Instance;

    public override IGrpcMessageWriter<IncomeStreamReply> Responses => Instance;

    private sealed class Messages : IGrpcMessageReader<IncomeStreamMessage>, IGrpcMessageWriter<IncomeStreamReply>
    {
        public IncomeStreamMessage Read(in ReadOnlySequence<byte> payload) => IncomeDecoder.DecodeStreamMessage(payload);

        public int Measure(IncomeStreamReply message)
        {
            if (message.Summary is { } summary)
            {
                return summary.CalculateSize();
            }

            message.Encoded ??= new EncodedResults(
                IncomeEncoder.EncodeResults(message.Receipts!, message.Chunk!, null), message.ChunkTail!.ToByteArray());
            return WireWrite.FieldSize(message.Encoded.Length);
        }

        public void Write(IncomeStreamReply message, int size, IBufferWriter<byte> output)
        {
            if (message.Summary is { } summary)
            {
                var span = output.GetSpan(size);
                summary.WriteTo(span[..size]);
                output.Advance(size);
                return;
            }

            var encoded = message.Encoded ?? throw new InvalidOperationException("Write before Measure");
            Span<byte> prefix = stackalloc byte[6];
            int n = WireWrite.WriteHeader(prefix, ResultsTag, encoded.Length);
            IncomeEncoder.CopyOut(encoded, prefix[..n], output, message.Receipts!);
        }
    }
}
