using Calc.Transport.Grpc.Codecs;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Routing;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>
/// Binds calc.v1.IncomeService's two rpcs on the binary gRPC path to <see cref="IncomeGrpcService"/>'s codec
/// methods, with the <see cref="IncomeMarshallers"/> (a grpc-dotnet <see cref="IServiceMethodProvider{TService}"/>).
/// grpc-dotnet's own provider also binds the generated methods at the same paths; the endpoints added here
/// carry <see cref="IncomeCodecEndpoint"/>, which <see cref="Hosting.GrpcContentMatcherPolicy"/> prefers for
/// gRPC requests.
/// </summary>
internal sealed class IncomeCodecMethods : IServiceMethodProvider<IncomeGrpcService>
{
    private static readonly string ServiceName = V1.IncomeService.Descriptor.FullName;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<IncomeGrpcService> context)
    {
        var recognize = new Method<IncomeBatchRequest, IncomeBatchReply>(MethodType.Unary, ServiceName, "RecognizeIncome",
            IncomeMarshallers.BatchRequest, IncomeMarshallers.BatchReply);
        context.AddUnaryMethod(recognize, Metadata(), static (service, request, call) => service.Recognize(request, call));

        var stream = new Method<IncomeStreamMessage, IncomeStreamReply>(MethodType.DuplexStreaming, ServiceName, "StreamRecognizeIncome",
            IncomeMarshallers.StreamRequest, IncomeMarshallers.StreamReply);
        context.AddDuplexStreamingMethod(stream, Metadata(), static (service, requests, responses, call) => service.RecognizeStream(requests, responses, call));
    }

    // as grpc-dotnet's own binder: POST only (CORS preflight accepted), plus the codec marker
    private static List<object> Metadata() => [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true), IncomeCodecEndpoint.Instance];
}

/// <summary>Endpoint metadata of the codec-bound income methods.</summary>
public sealed class IncomeCodecEndpoint
{
    public static IncomeCodecEndpoint Instance { get; } = new();

    private IncomeCodecEndpoint()
    {
    }
}
