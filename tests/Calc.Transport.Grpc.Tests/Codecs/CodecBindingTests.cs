using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Codecs;
using Calc.Transport.Grpc.Services.Calc;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>The binder picks the codec method for the binary path and keeps the generated one for Connect unary; it rejects ill-formed codec methods.</summary>
public sealed class CodecBindingTests
{
    [Fact]
    public void Bind_IncomeService_BinaryPathRunsThroughTheCodecs()
    {
        var methods = ServiceBinder.Bind<IncomeGrpcService>(V1.IncomeReflection.Descriptor.Services[0], ServiceLifetime.Singleton, IncomeFixture.Services);

        var unary = Assert.IsType<CodecUnaryMethod<IncomeGrpcService, IncomeBatchRequest, IncomeBatchReply>>(
            methods.Single(m => m.Path == "/calc.v1.IncomeService/RecognizeIncome"));
        Assert.IsType<DuplexStreamingMethod<IncomeGrpcService, IncomeStreamMessage, IncomeStreamReply>>(
            methods.Single(m => m.Path == "/calc.v1.IncomeService/StreamRecognizeIncome"));
        // Connect unary still parses the generated message
        Assert.IsType<V1.RecognizeIncomeRequest>(unary.ParseJsonRequest("{\"receipts\":[{\"id\":\"a\"}]}"));
    }

    [Fact]
    public void Bind_CodecWithoutGeneratedUnaryMethod_FailsWithTheExpectedSignature()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ServiceBinder.Bind<CodecOnlyIncome>(V1.IncomeReflection.Descriptor.Services[0], lifetime: null, IncomeFixture.Services));

        Assert.Contains("RecognizeIncome: a method over the generated messages is needed besides the codec method; expected " +
            "Task<RecognizeIncomeResponse> RecognizeIncome(RecognizeIncomeRequest, ServerCallContext)", error.Message, StringComparison.Ordinal);
        Assert.Contains("StreamRecognizeIncome: wrong signature for codec RecognizeIncomeCodec", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Codec methods only, one of them with the wrong codec.</summary>
    public sealed class CodecOnlyIncome
    {
        [GrpcCodec(typeof(RecognizeIncomeCodec))]
        public Task<IncomeBatchReply> RecognizeIncome(IncomeBatchRequest request, ServerCallContext context) =>
            throw new NotSupportedException();

        [GrpcCodec(typeof(RecognizeIncomeCodec))]
        public Task StreamRecognizeIncome(IAsyncStreamReader<IncomeStreamMessage> requests, IServerStreamWriter<IncomeStreamReply> responses, ServerCallContext context) =>
            throw new NotSupportedException();
    }
}
