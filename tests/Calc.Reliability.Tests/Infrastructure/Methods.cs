using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>The calc.v1 unary methods by path, with their request/response descriptors, callable through Grpc.Net.Client by descriptor.</summary>
public static class Methods
{
    public static readonly IReadOnlyDictionary<string, MethodDescriptor> ByPath = new[]
        {
            Calc.V1.QuotesReflection.Descriptor, Calc.V1.IncomeReflection.Descriptor,
            Calc.V1.TaxReflection.Descriptor, Calc.V1.CollateralReflection.Descriptor,
        }
        .SelectMany(f => f.Services)
        .SelectMany(s => s.Methods)
        .Where(m => !m.IsClientStreaming && !m.IsServerStreaming)
        .ToDictionary(m => $"{m.Service.FullName}/{m.Name}", m => m);

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static IMessage ParseRequest(string method, string json) => Parser.Parse(json, ByPath[method].InputType);

    public static string ToJson(IMessage message) => Formatter.Format(message);

    /// <summary>
    /// Calls <paramref name="method"/> with the typed request message: a <see cref="Method{TRequest,TResponse}"/> built from
    /// the method's descriptor (the generated messages' own parsers as marshallers), with a 30 s deadline.
    /// </summary>
    public static async Task<IMessage> CallAsync(GrpcChannel channel, string method, IMessage request)
    {
        var descriptor = ByPath[method];
        var call = new Method<IMessage, IMessage>(MethodType.Unary, descriptor.Service.FullName, descriptor.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), descriptor.InputType.Parser.ParseFrom),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), descriptor.OutputType.Parser.ParseFrom));
        return await channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow + CalcClients.DefaultDeadline), request);
    }
}
