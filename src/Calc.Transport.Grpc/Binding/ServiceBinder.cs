using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// Binds the rpcs of a protobuf <see cref="ServiceDescriptor"/> to the public methods of a service class, once,
/// at startup. Every rpc needs a method named like it with the signature of its kind:
/// <code>
/// unary:            Task&lt;TResp&gt; Name(TReq request, ServerCallContext context)
/// server streaming: Task Name(TReq request, IServerStreamWriter&lt;TResp&gt; responseStream, ServerCallContext context)
/// client streaming: Task&lt;TResp&gt; Name(IAsyncStreamReader&lt;TReq&gt; requestStream, ServerCallContext context)
/// bidi:             Task Name(IAsyncStreamReader&lt;TReq&gt; requestStream, IServerStreamWriter&lt;TResp&gt; responseStream, ServerCallContext context)
/// </code>
/// A missing method or a wrong signature stops startup with one message listing every problem. Calls go
/// through open-instance delegates (no reflection per call).
/// </summary>
internal static class ServiceBinder
{
    /// <param name="lifetime">How TService is registered in DI; null = not registered (created per call).</param>
    /// <param name="root">The root service provider (singletons are resolved from it once).</param>
    public static IReadOnlyList<ServerMethod> Bind<TService>(ServiceDescriptor service, Microsoft.Extensions.DependencyInjection.ServiceLifetime? lifetime,
        IServiceProvider root)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(service);
        var activator = new ServiceActivator<TService>(lifetime, root);
        var methods = new List<ServerMethod>(service.Methods.Count);
        var problems = new StringBuilder();
        foreach (var rpc in service.Methods)
        {
            var path = "/" + service.FullName + "/" + rpc.Name;
            var expected = ExpectedSignature(rpc);
            var candidates = typeof(TService).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == rpc.Name).ToArray();
            if (candidates.Length == 0)
            {
                problems.Append("\n  - ").Append(rpc.Name).Append(": no public method; expected ").Append(expected);
                continue;
            }

            var match = candidates.FirstOrDefault(m => Matches(m, rpc, expected));
            if (match is null)
            {
                problems.Append("\n  - ").Append(rpc.Name).Append(": wrong signature ")
                    .Append(Describe(candidates[0])).Append("; expected ").Append(expected.Text);
                continue;
            }

            methods.Add(Create(typeof(TService), rpc, path, activator, match));
        }

        if (problems.Length > 0)
        {
            throw new InvalidOperationException(
                $"gRPC service class {typeof(TService).FullName} does not implement {service.FullName}:{problems}");
        }

        return methods;
    }

    private sealed record Signature(Type Return, Type[] Parameters, string Text)
    {
        public override string ToString() => Text;
    }

    private static Signature ExpectedSignature(MethodDescriptor rpc)
    {
        var req = rpc.InputType.ClrType;
        var resp = rpc.OutputType.ClrType;
        var ctx = typeof(ServerCallContext);
        var reader = typeof(IAsyncStreamReader<>).MakeGenericType(req);
        var writer = typeof(IServerStreamWriter<>).MakeGenericType(resp);
        var taskOfResp = typeof(Task<>).MakeGenericType(resp);
        var (ret, parameters) = (rpc.IsClientStreaming, rpc.IsServerStreaming) switch
        {
            (false, false) => (taskOfResp, new[] { req, ctx }),
            (false, true) => (typeof(Task), new[] { req, writer, ctx }),
            (true, false) => (taskOfResp, new[] { reader, ctx }),
            (true, true) => (typeof(Task), new[] { reader, writer, ctx }),
        };
        var text = $"{Name(ret)} {rpc.Name}({string.Join(", ", parameters.Select(Name))})";
        return new Signature(ret, parameters, text);
    }

    private static bool Matches(MethodInfo method, MethodDescriptor rpc, Signature expected)
    {
        _ = rpc;
        var parameters = method.GetParameters();
        return method.ReturnType == expected.Return
            && parameters.Length == expected.Parameters.Length
            && parameters.Select(p => p.ParameterType).SequenceEqual(expected.Parameters);
    }

    private static string Describe(MethodInfo method) =>
        $"{Name(method.ReturnType)} {method.Name}({string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType)))})";

    private static string Name(Type type) => type.IsGenericType
        ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">"
        : type.Name;

    private static ServerMethod Create(Type serviceType, MethodDescriptor rpc, string path, object activator, MethodInfo method)
    {
        var req = rpc.InputType.ClrType;
        var resp = rpc.OutputType.ClrType;
        var factory = typeof(ServiceBinder).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(serviceType, req, resp);
        return (ServerMethod)factory.Invoke(null, [rpc, path, activator, method])!;
    }

    private static ServerMethod CreateTyped<TService, TRequest, TResponse>(
        MethodDescriptor rpc, string path, ServiceActivator<TService> activator, MethodInfo method)
        where TService : class
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var parser = ParserOf<TRequest>();
        return (rpc.IsClientStreaming, rpc.IsServerStreaming) switch
        {
            (false, false) => new UnaryMethod<TService, TRequest, TResponse>(path, rpc, activator, parser,
                method.CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>()),
            (false, true) => new ServerStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, parser,
                method.CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
            (true, false) => new ClientStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, parser,
                method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>()),
            (true, true) => new DuplexStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, parser,
                method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
        };
    }

    private static MessageParser<T> ParserOf<T>() where T : class, IMessage<T>
    {
        var property = typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeof(T).FullName} has no static Parser; is it a generated protobuf message?");
        return (MessageParser<T>)property.GetValue(null)!;
    }
}
