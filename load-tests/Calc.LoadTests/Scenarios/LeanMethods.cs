using Calc.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// The lean client's calls: hand-made <see cref="Method{TRequest,TResponse}"/> descriptors on the same service
/// paths as the generated <c>IncomeService</c> client, with custom marshallers. The request is a
/// <see cref="PreparedRequest"/> (a message serialised once before the measured phase; the marshaller hands its
/// bytes to Grpc.Net.Client as they are, as h2load sends prepared bodies), the response a receive-only counter
/// (<see cref="ResultCounter"/>, <see cref="StreamResultCounter"/>) that counts results and item errors from the
/// wire without materialising 10,000 result objects. Grpc.Net.Client still does everything else: framing,
/// deadlines, status and trailers, flow control.
/// </summary>
public static class LeanMethods
{
    private static readonly Marshaller<PreparedRequest> Prepared = Marshallers.Create(
        static (PreparedRequest r) => r.Payload,
        static _ => throw new NotSupportedException("a send-only prepared request"));

    public static readonly Method<PreparedRequest, ResultCounter> RecognizeIncome = new(
        MethodType.Unary, IncomeService.Descriptor.FullName, "RecognizeIncome", Prepared,
        Marshallers.Create(static _ => throw new NotSupportedException("a receive-only counter"), static (byte[] b) => ResultCounter.Parser.ParseFrom(b)));

    public static readonly Method<PreparedRequest, StreamResultCounter> StreamRecognizeIncome = new(
        MethodType.DuplexStreaming, IncomeService.Descriptor.FullName, "StreamRecognizeIncome", Prepared,
        Marshallers.Create(static _ => throw new NotSupportedException("a receive-only counter"), static (byte[] b) => StreamResultCounter.Parser.ParseFrom(b)));
}

/// <summary>A request message serialised once and sent many times by the lean client.</summary>
public sealed class PreparedRequest
{
    private PreparedRequest(byte[] payload) => Payload = payload;

    /// <summary>The serialised message (no gRPC frame header: Grpc.Net.Client writes that).</summary>
    public byte[] Payload { get; }

    public static PreparedRequest From(IMessage message) => new(message.ToByteArray());
}
