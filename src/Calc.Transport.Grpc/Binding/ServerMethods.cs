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
    IGrpcMessageWriter<TResponse> responses, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker)
    : UnaryServerMethod(path, descriptor)
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly UnaryCall<TService, TRequest, TResponse> _grpc = new(activator, new ProtobufMessages<TRequest>(parser), responses, invoker);

    // Unknown fields are rejected, as the proto3 JSON mapping does by default: Calc's JSON callers write field
    // names by hand (1C), and a misspelt optional field must not silently become its default (e.g. withheld = 0).
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public override Task InvokeGrpcAsync(GrpcServerCall call) => _grpc.InvokeAsync(call);

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

/// <summary>
/// A unary method whose binary gRPC path runs through a method codec (<see cref="GrpcCodecAttribute"/>), while
/// Connect unary (JSON and binary) keeps the service's method over the generated messages.
/// </summary>
internal sealed class CodecUnaryMethod<TService, TWireRequest, TWireResponse>(
    UnaryServerMethod connect, ServiceActivator<TService> activator, GrpcMethodCodec<TWireRequest, TWireResponse> codec,
    Func<TService, TWireRequest, ServerCallContext, Task<TWireResponse>> invoker)
    : UnaryServerMethod(connect.Path, connect.Descriptor)
    where TService : class
    where TWireRequest : class
    where TWireResponse : class
{
    private readonly UnaryCall<TService, TWireRequest, TWireResponse> _grpc = new(activator, codec.Requests, codec.Responses, invoker);

    public override Task InvokeGrpcAsync(GrpcServerCall call) => _grpc.InvokeAsync(call);

    public override IMessage ParseRequest(ReadOnlySpan<byte> payload) => connect.ParseRequest(payload);

    public override IMessage ParseJsonRequest(string json) => connect.ParseJsonRequest(json);

    public override Task<IMessage> InvokeServiceAsync(IMessage request, GrpcServerCall call) => connect.InvokeServiceAsync(request, call);
}

/// <summary>The gRPC side of a unary call: read one message, run the service, write one message.</summary>
internal sealed class UnaryCall<TService, TRequest, TResponse>(
    ServiceActivator<TService> activator, IGrpcMessageReader<TRequest> reader, IGrpcMessageWriter<TResponse> writer,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    public Task InvokeAsync(GrpcServerCall call)
    {
        // fast path without async machinery: request already complete, service done synchronously, nothing to dispose
        if (!activator.CreatesPerCall && call.TryReadSingleMessage(reader, out var request))
        {
            var pending = invoker(activator.Create(call.HttpContext), request!, call);
            return pending.IsCompletedSuccessfully
                ? call.WriteMessageAsync(pending.Result, writer, flush: false, default)
                : WriteWhenDoneAsync(call, pending);
        }

        return InvokeSlowAsync(call);
    }

    private async Task WriteWhenDoneAsync(GrpcServerCall call, Task<TResponse> pending) =>
        await call.WriteMessageAsync(await pending, writer, flush: false, default);

    private async Task InvokeSlowAsync(GrpcServerCall call)
    {
        var request = await call.ReadSingleMessageAsync(reader);
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

        await call.WriteMessageAsync(response, writer, flush: false, default);
    }
}

internal sealed class ServerStreamingMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, IGrpcMessageReader<TRequest> reader,
    IGrpcMessageWriter<TResponse> writer, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
    : ServerMethod(path, descriptor)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    public override async Task InvokeGrpcAsync(GrpcServerCall call)
    {
        var request = await call.ReadSingleMessageAsync(reader);
        var service = activator.Create(call.HttpContext);
        try
        {
            await invoker(service, request, new ResponseStreamWriter<TResponse>(call, writer), call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }
    }
}

internal sealed class ClientStreamingMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, IGrpcMessageReader<TRequest> parser,
    IGrpcMessageWriter<TResponse> writer, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker)
    : ServerMethod(path, descriptor)
    where TService : class
    where TRequest : class
    where TResponse : class
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

        await call.WriteMessageAsync(response, writer, flush: false, default);
    }
}

internal sealed class DuplexStreamingMethod<TService, TRequest, TResponse>(
    string path, MethodDescriptor descriptor, ServiceActivator<TService> activator, IGrpcMessageReader<TRequest> parser,
    IGrpcMessageWriter<TResponse> writer, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
    : ServerMethod(path, descriptor)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    public override async Task InvokeGrpcAsync(GrpcServerCall call)
    {
        var service = activator.Create(call.HttpContext);
        try
        {
            await invoker(service, new RequestStreamReader<TRequest>(call, parser), new ResponseStreamWriter<TResponse>(call, writer), call);
        }
        finally
        {
            await activator.ReleaseAsync(service);
        }
    }
}

/// <summary>Request stream over the HTTP/2 request body; reads only on MoveNext (flow-control backpressure).</summary>
internal sealed class RequestStreamReader<T>(GrpcServerCall call, IGrpcMessageReader<T> parser) : IAsyncStreamReader<T>
    where T : class
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
internal sealed class ResponseStreamWriter<T>(GrpcServerCall call, IGrpcMessageWriter<T> writer) : IServerStreamWriter<T> where T : class
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return call.WriteMessageAsync(message, writer, flush: true, cancellationToken);
    }
}
