using Calc.Interop.Testing;
using Google.Protobuf;
using Grpc.Core;

namespace Calc.Interop;

/// <summary>
/// <c>grpc.testing.TestService</c> as grpc/grpc doc/interop-test-descriptions.md asks of a server: payloads of
/// the requested sizes (zeros), echo of <c>x-grpc-test-echo-initial</c> (as a header) and
/// <c>x-grpc-test-echo-trailing-bin</c> (as a trailer), the requested status, and compression checks.
/// </summary>
public sealed class InteropTestService : TestService.TestServiceBase
{
    private const string EchoInitial = "x-grpc-test-echo-initial";
    private const string EchoTrailing = "x-grpc-test-echo-trailing-bin";

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return NeedsEcho(context) ? EchoThenEmptyAsync(context) : Task.FromResult(new Empty());
    }

    private static async Task<Empty> EchoThenEmptyAsync(ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        return new Empty();
    }

    private static bool NeedsEcho(ServerCallContext context)
    {
        var headers = context.GetHttpContext().Request.Headers;
        return headers.ContainsKey(EchoInitial) || headers.ContainsKey(EchoTrailing);
    }

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await EchoMetadataAsync(context);
        CheckCompression(request.ExpectCompressed, context);
        ThrowIfStatusRequested(request.ResponseStatus);
        if (request.ResponseCompressed is { } compressed)
        {
            SetCompression(context, compressed.Value);
        }

        return new SimpleResponse { Payload = CreatePayload(request.ResponseSize) };
    }

    public override Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context) =>
        UnaryCall(request, context);

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        await EchoMetadataAsync(context);
        await WriteResponsesAsync(request, responseStream, context);
        ThrowIfStatusRequested(request.ResponseStatus);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(
        IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        var total = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var message = requestStream.Current;
            CheckCompression(message.ExpectCompressed, context);
            total += message.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        await EchoMetadataAsync(context);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = requestStream.Current;
            ThrowIfStatusRequested(request.ResponseStatus);
            await WriteResponsesAsync(request, responseStream, context);
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        var requests = new List<StreamingOutputCallRequest>();
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            requests.Add(requestStream.Current);
        }

        foreach (var request in requests)
        {
            await WriteResponsesAsync(request, responseStream, context);
        }
    }

    // UnimplementedCall is declared by test.proto and deliberately not overridden: the generated base answers UNIMPLEMENTED.

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            }

            if (parameters.Compressed is { } compressed)
            {
                SetCompression(context, compressed.Value);
            }

            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = CreatePayload(parameters.Size) },
                context.CancellationToken);
        }
    }

    /// <summary>Compress this response (the host compresses with gzip when the client accepts it) or send it plain.</summary>
    private static void SetCompression(ServerCallContext context, bool compress) =>
        context.WriteOptions = compress ? WriteOptions.Default : new WriteOptions(WriteFlags.NoCompress);

    private static void CheckCompression(BoolValue? expectCompressed, ServerCallContext context)
    {
        if (expectCompressed is null)
        {
            return;
        }

        // grpc-dotnet does not expose a message's compressed flag; as its own interop server, the call's
        // grpc-encoding tells whether the client compresses (ServerCallContext.RequestHeaders omits grpc-*)
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        if (expectCompressed.Value && (encoding.Length == 0 || encoding == "identity"))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "expected a compressed request message"));
        }
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is { Code: not 0 })
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        if (!NeedsEcho(context))
        {
            return; // nothing to echo: skip building the metadata collection
        }

        if (context.RequestHeaders.GetValue(EchoInitial) is { } initial)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitial, initial } });
        }

        if (context.RequestHeaders.Get(EchoTrailing) is { ValueBytes: { } trailing })
        {
            context.ResponseTrailers.Add(EchoTrailing, trailing);
        }
    }

    private static Payload CreatePayload(int size) =>
        new() { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };
}
