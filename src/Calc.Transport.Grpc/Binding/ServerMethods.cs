using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Calc.Transport.Grpc.Binding;

/// <summary>One bound rpc: its path, descriptor and how to run it over gRPC (and, for unary, Connect).</summary>
internal abstract class ServerMethod(string path, MethodDescriptor descriptor)
{
    /// <summary><c>/package.Service/Method</c>.</summary>
    public string Path { get; } = path;

    public MethodDescriptor Descriptor { get; } = descriptor;

    public bool IsUnary => !Descriptor.IsClientStreaming && !Descriptor.IsServerStreaming;

    /// <summary>Reads the request message(s), runs the service method, writes the response message(s).</summary>
    public abstract Task InvokeGrpcAsync(GrpcServerCall call);
}

/// <summary>A unary method, also callable over Connect with an already parsed request.</summary>
internal abstract class UnaryServerMethod(string path, MethodDescriptor descriptor) : ServerMethod(path, descriptor)
{
    public abstract IMessage ParseRequest(ReadOnlySpan<byte> payload);

    public abstract IMessage ParseJsonRequest(string json);

    public abstract Task<IMessage> InvokeServiceAsync(IMessage request, GrpcServerCall call);
}

internal sealed class UnaryMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, MessageParser<TRequest> parser,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker)
    : UnaryServerMethod(path, descriptor)
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    // Unknown fields are rejected, as the proto3 JSON mapping does by default: Calc's JSON callers write field
    // names by hand (1C), and a misspelt optional field must not silently become its default (e.g. withheld = 0).
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public override Task InvokeGrpcAsync(GrpcServerCall call)
    {
        // fast path without async machinery: request already complete, service done synchronously, nothing to dispose
        if (!activator.CreatesPerCall && call.TryReadSingleMessage(parser, out var request))
        {
            var pending = invoker(activator.Create(call.HttpContext), request!, call);
            return pending.IsCompletedSuccessfully
                ? call.WriteMessageAsync(pending.Result, flush: false, default)
                : WriteWhenDoneAsync(call, pending);
        }

        return InvokeSlowAsync(call);
    }

    private static async Task WriteWhenDoneAsync(GrpcServerCall call, Task<TResponse> pending) =>
        await call.WriteMessageAsync(await pending, flush: false, default);

    private async Task InvokeSlowAsync(GrpcServerCall call)
    {
        var request = await call.ReadSingleMessageAsync(parser);
        var service = activator.Create(call.HttpContext);
        TResponse response;
        try
        {
            response = await invoker(service, request, call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }

        await call.WriteMessageAsync(response, flush: false, default);
    }

    public override IMessage ParseRequest(ReadOnlySpan<byte> payload) => parser.ParseFrom(payload);

    public override IMessage ParseJsonRequest(string json) => (TRequest)Json.Parse(json, Descriptor.InputType);

    public override async Task<IMessage> InvokeServiceAsync(IMessage request, GrpcServerCall call)
    {
        var service = activator.Create(call.HttpContext);
        try
        {
            return await invoker(service, (TRequest)request, call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }
    }
}

internal sealed class ServerStreamingMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, MessageParser<TRequest> parser,
    Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
    : ServerMethod(path, descriptor)
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeGrpcAsync(GrpcServerCall call)
    {
        var request = await call.ReadSingleMessageAsync(parser);
        var service = activator.Create(call.HttpContext);
        try
        {
            await invoker(service, request, new ResponseStreamWriter<TResponse>(call), call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }
    }
}

internal sealed class ClientStreamingMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, MessageParser<TRequest> parser,
    Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker)
    : ServerMethod(path, descriptor)
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeGrpcAsync(GrpcServerCall call)
    {
        var service = activator.Create(call.HttpContext);
        TResponse response;
        try
        {
            response = await invoker(service, new RequestStreamReader<TRequest>(call, parser), call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }

        await call.WriteMessageAsync(response, flush: false, default);
    }
}

internal sealed class DuplexStreamingMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, MessageParser<TRequest> parser,
    Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
    : ServerMethod(path, descriptor)
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeGrpcAsync(GrpcServerCall call)
    {
        var service = activator.Create(call.HttpContext);
        try
        {
            await invoker(service, new RequestStreamReader<TRequest>(call, parser), new ResponseStreamWriter<TResponse>(call), call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }
    }
}

/// <summary>Request stream over the HTTP/2 request body; reads only on MoveNext (flow-control backpressure).</summary>
internal sealed class RequestStreamReader<T>(GrpcServerCall call, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;
    private bool _ended;

    public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return false;
        }

        var token = call.CancellationToken;
        CancellationTokenSource? linked = null;
        if (cancellationToken.CanBeCanceled && cancellationToken != token)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken);
            token = linked.Token;
        }

        try
        {
            _current = await call.ReadMessageAsync(parser, token);
        }
        finally
        {
            linked?.Dispose();
        }

        _ended = _current is null;
        return !_ended;
    }
}

/// <summary>Response stream: each write completes when HTTP/2 flow control accepted it.</summary>
internal sealed class ResponseStreamWriter<T>(GrpcServerCall call) : IServerStreamWriter<T> where T : class, IMessage<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return call.WriteMessageAsync(message, flush: true, cancellationToken);
    }
}
