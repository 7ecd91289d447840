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
/// through open-instance delegates (no reflection per call). A second method of the same name marked
/// <see cref="GrpcCodecAttribute"/> — the same shape over the codec's request and response types — takes the
/// binary gRPC path (and Connect streaming); a unary rpc keeps its method over the generated messages for
/// Connect unary.
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
            var expected = ExpectedSignature(rpc, rpc.InputType.ClrType, rpc.OutputType.ClrType);
            var candidates = typeof(TService).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == rpc.Name).ToArray();
            if (candidates.Length == 0)
            {
                problems.Append("\n  - ").Append(rpc.Name).Append(": no public method; expected ").Append(expected);
                continue;
            }

            var codecMethod = candidates.FirstOrDefault(m => m.GetCustomAttribute<GrpcCodecAttribute>() is not null);
            var match = candidates.FirstOrDefault(m => m != codecMethod && Matches(m, expected));
            bool unary = !rpc.IsClientStreaming && !rpc.IsServerStreaming;
            if (codecMethod is not null && unary && match is null)
            {
                // a unary rpc needs the method over the generated messages (for Connect) even when it has a codec
                problems.Append("\n  - ").Append(rpc.Name).Append(": a method over the generated messages is needed besides the codec method; expected ")
                    .Append(expected.Text);
                continue;
            }

            if (codecMethod is not null)
            {
                if (BindCodec(rpc, path, activator, codecMethod, match, problems) is { } bound)
                {
                    methods.Add(bound);
                }

                continue;
            }

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

    private static Signature ExpectedSignature(MethodDescriptor rpc, Type req, Type resp)
    {
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

    private static bool Matches(MethodInfo method, Signature expected)
    {
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
        var requests = new ProtobufMessages<TRequest>(parser);
        var responses = new ProtobufMessages<TResponse>(ParserOf<TResponse>());
        return (rpc.IsClientStreaming, rpc.IsServerStreaming) switch
        {
            (false, false) => new UnaryMethod<TService, TRequest, TResponse>(path, rpc, activator, parser, responses,
                method.CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>()),
            (false, true) => new ServerStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, requests, responses,
                method.CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
            (true, false) => new ClientStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, requests, responses,
                method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>()),
            (true, true) => new DuplexStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, requests, responses,
                method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
        };
    }

    /// <summary>
    /// Binds the method marked <see cref="GrpcCodecAttribute"/>: its signature is the rpc's over the codec's
    /// request and response types. A unary rpc keeps <paramref name="generated"/> for Connect.
    /// </summary>
    private static ServerMethod? BindCodec<TService>(MethodDescriptor rpc, string path, ServiceActivator<TService> activator,
        MethodInfo method, MethodInfo? generated, StringBuilder problems)
        where TService : class
    {
        var codecType = method.GetCustomAttribute<GrpcCodecAttribute>()!.CodecType;
        var codecBase = BaseTypes(codecType).FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(GrpcMethodCodec<,>));
        if (codecBase is null || codecType.IsAbstract || codecType.GetConstructor(Type.EmptyTypes) is null)
        {
            problems.Append("\n  - ").Append(rpc.Name).Append(": codec ").Append(codecType.Name)
                .Append(" is not a GrpcMethodCodec<TRequest, TResponse> with a public parameterless constructor");
            return null;
        }

        var types = codecBase.GetGenericArguments();
        var expected = ExpectedSignature(rpc, types[0], types[1]);
        if (!Matches(method, expected))
        {
            problems.Append("\n  - ").Append(rpc.Name).Append(": wrong signature for codec ").Append(codecType.Name).Append(' ')
                .Append(Describe(method)).Append("; expected ").Append(expected.Text);
            return null;
        }

        var codec = Activator.CreateInstance(codecType)!;
        var connect = generated is null ? null : Create(typeof(TService), rpc, path, activator, generated);
        var factory = typeof(ServiceBinder).GetMethod(nameof(CreateCodecTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(TService), types[0], types[1]);
        return (ServerMethod)factory.Invoke(null, [rpc, path, activator, method, codec, connect])!;
    }

    private static IEnumerable<Type> BaseTypes(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            yield return t;
        }
    }

    private static ServerMethod CreateCodecTyped<TService, TRequest, TResponse>(MethodDescriptor rpc, string path, ServiceActivator<TService> activator,
        MethodInfo method, GrpcMethodCodec<TRequest, TResponse> codec, ServerMethod? connect)
        where TService : class
        where TRequest : class
        where TResponse : class
    {
        return (rpc.IsClientStreaming, rpc.IsServerStreaming) switch
        {
            (false, false) => new CodecUnaryMethod<TService, TRequest, TResponse>((UnaryServerMethod)connect!, activator, codec,
                method.CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>()),
            (false, true) => new ServerStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, codec.Requests, codec.Responses,
                method.CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
            (true, false) => new ClientStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, codec.Requests, codec.Responses,
                method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>()),
            (true, true) => new DuplexStreamingMethod<TService, TRequest, TResponse>(path, rpc, activator, codec.Requests, codec.Responses,
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
