using System.Reflection;
using Calc.Client;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>The calc.v1 unary methods by path, with their request/response descriptors, callable through Calc.Client.</summary>
public static class Methods
{
    private static readonly MethodInfo Unary = typeof(GrpcChannel).GetMethod(nameof(GrpcChannel.UnaryAsync))!;

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

    /// <summary>Calls <paramref name="method"/> through Calc.Client's channel with the typed request message.</summary>
    public static async Task<IMessage> CallAsync(GrpcChannel channel, string method, IMessage request, CallOptions? options = null)
    {
        var descriptor = ByPath[method];
        var call = Unary.MakeGenericMethod(descriptor.InputType.ClrType, descriptor.OutputType.ClrType);
        object parser = descriptor.OutputType.ClrType.GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var task = (Task)call.Invoke(channel, ["/" + method, request, parser, options, CancellationToken.None])!;
        await task;
        return (IMessage)task.GetType().GetProperty("Result")!.GetValue(task)!;
    }
}
