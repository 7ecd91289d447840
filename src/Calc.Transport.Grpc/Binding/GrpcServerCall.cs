using System.Buffers;
using System.IO.Pipelines;
using Calc.Transport.Grpc.Protocol;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// One gRPC call over one HTTP/2 stream: deadline and cancellation, request/response metadata, reading and
/// writing length-prefixed messages with flow-control backpressure, and the final status (trailers, or a
/// Trailers-Only response when no message was sent). See grpc/grpc doc/PROTOCOL-HTTP2.md.
/// </summary>
internal sealed class GrpcServerCall : ServerCallContext, IDisposable
{
    private readonly HttpContext _http;
    private readonly GrpcRuntime _runtime;
    private readonly string _method;
    private CancellationTokenSource? _deadlineCts; // the call's token: client abort or deadline
    private CancellationTokenSource? _timerCts;    // cancelled only by the deadline timer
    private TaskCompletionSource? _deadlineSignal;
    private CancellationToken _token;
    private DateTime _deadline = DateTime.MaxValue;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private bool _requestCompressed;
    private volatile bool _deadlineFired;
    private volatile bool _completed;
    private Task? _pendingWrite;
    private string? _sentEncoding;

    public GrpcServerCall(HttpContext http, GrpcRuntime runtime, string method, CallProtocol protocol = CallProtocol.Grpc)
    {
        _http = http;
        _runtime = runtime;
        _method = method;
        _token = http.RequestAborted;
        Protocol = protocol;
    }

    public CallProtocol Protocol { get; }

    /// <summary>A Connect unary call: headers are written with the response, not flushed ahead.</summary>
    public bool IsConnect => Protocol == CallProtocol.ConnectUnary;

    public int SendLimit => _runtime.Options.MaxSendMessageSize;

    public Metadata? ResponseTrailersOrNull => _responseTrailers;

    /// <summary>Connect: the server compresses responses (gzip) for clients that accept it.</summary>
    public bool ConnectCompressesResponse => _runtime.Options.ResponseCompression == GrpcProtocol.Gzip;

    public override string Method => _method;

    public override string Peer => _http.Connection.RemoteIpAddress is { } ip
        ? $"{ip}:{_http.Connection.RemotePort}" : "unknown";

    public override DateTime Deadline => _deadline;

    public override CancellationToken CancellationToken => _token;

    public override Metadata RequestHeaders => _requestHeaders ??= MetadataCodec.FromHeaders(_http.Request.Headers);

    public override Metadata ResponseTrailers => _responseTrailers ??= [];

    public override HttpContext HttpContext => _http;

    /// <summary>True once the deadline passed; writes are refused from then on.</summary>
    public bool DeadlineFired => _deadlineFired;

    public bool HasDeadline => _deadlineSignal is not null;

    /// <summary>Completes when the deadline fires (only when the call has one).</summary>
    public Task DeadlineTask => _deadlineSignal?.Task ?? Task.CompletedTask;

    /// <summary>The compression flag of the last request message read (for interop checks).</summary>
    public bool LastRequestCompressed => _requestCompressed;

    public bool ResponseStarted { get; private set; }

    public string? RequestEncoding { get; private set; }

    /// <summary>Validates transport headers and arms the deadline. Throws <see cref="RpcException"/> on protocol errors.</summary>
    public void Initialize()
    {
        var headers = _http.Request.Headers;
        var connect = Protocol == CallProtocol.ConnectStream;
        var encoding = connect ? headers[GrpcProtocol.ConnectContentEncodingHeader] : headers.GrpcEncoding;
        if (encoding.Count > 0)
        {
            var e = encoding.ToString();
            if (!string.Equals(e, GrpcProtocol.Identity, StringComparison.Ordinal)
                && !string.Equals(e, GrpcProtocol.Gzip, StringComparison.Ordinal))
            {
                _http.Response.Headers[connect ? GrpcProtocol.ConnectAcceptEncodingHeader : GrpcProtocol.AcceptEncodingHeader] =
                    GrpcProtocol.SupportedEncodings;
                GrpcStatuses.Throw(GrpcStatuses.UnsupportedEncoding(e));
            }

            RequestEncoding = e;
        }

        if (_runtime.Options.ResponseCompression is { } preferred
            && ClientAccepts(connect ? headers[GrpcProtocol.ConnectAcceptEncodingHeader] : headers.GrpcAcceptEncoding, preferred))
        {
            ResponseCompression = preferred;
        }

        TimeSpan? timeout = null;
        var timeoutHeader = connect ? headers[GrpcProtocol.ConnectTimeoutHeader] : headers.GrpcTimeout;
        if (timeoutHeader.Count > 0)
        {
            var ok = connect ? TimeoutHeader.TryParseConnect(timeoutHeader.ToString(), out var t) : TimeoutHeader.TryParse(timeoutHeader.ToString(), out t);
            if (!ok)
            {
                GrpcStatuses.Throw(connect ? GrpcStatuses.InvalidConnectTimeout : GrpcStatuses.InvalidTimeout);
            }

            timeout = t;
        }

        ArmDeadline(timeout);
    }

    /// <summary>Arms the deadline: min(client timeout, server maximum). Used by gRPC and Connect alike.</summary>
    public void ArmDeadline(TimeSpan? timeout)
    {
        if (_runtime.Options.MaxDeadline is { } max && (timeout is null || timeout > max))
        {
            timeout = max;
        }

        if (timeout is not { } value)
        {
            return;
        }

        _deadline = DateTime.UtcNow + value;
        _deadlineSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _timerCts = new CancellationTokenSource();
        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted, _timerCts.Token);
        _token = _deadlineCts.Token;
        // Neither callback touches the HttpContext: they may run on a timer or abort thread after the
        // request has ended and its context has been returned to Kestrel's pool.
        _deadlineCts.Token.UnsafeRegister(static s => ((GrpcServerCall)s!)._deadlineSignal!.TrySetResult(), this);
        if (value <= TimeSpan.Zero)
        {
            OnDeadline();
        }
        else
        {
            _timerCts.Token.UnsafeRegister(static s => ((GrpcServerCall)s!).OnDeadlineTimer(), this);
            _timerCts.CancelAfter(value);
        }
    }

    private void OnDeadlineTimer()
    {
        _deadlineFired = true;
        _deadlineSignal?.TrySetResult();
    }

    private void OnDeadline()
    {
        _deadlineFired = true;
        _deadlineSignal?.TrySetResult();
        _timerCts?.Cancel();
    }

    private static bool ClientAccepts(StringValues accepted, string encoding)
    {
        foreach (var value in accepted)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                if (part.Trim().Equals(encoding, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Reads the next request message; null at the end of the request stream. Only what the caller asks for is
    /// read, so HTTP/2 flow control pushes back on a client that sends faster than the service consumes.
    /// </summary>
    public async ValueTask<T?> ReadMessageAsync<T>(IGrpcMessageReader<T> parser, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await ReadNextAsync(parser, cancellationToken);
        }
        catch (IOException ex)
        {
            throw ClientReset(ex);
        }
    }

    /// <summary>True once reading or writing failed because the client reset the stream or closed the connection.</summary>
    public bool ClientGone { get; private set; }

    private OperationCanceledException ClientReset(IOException ex)
    {
        ClientGone = true;
        return new OperationCanceledException("the client reset the stream", ex, _token);
    }

    private async ValueTask<T?> ReadNextAsync<T>(IGrpcMessageReader<T> parser, CancellationToken cancellationToken)
        where T : class
    {
        var reader = _http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (TryParse(ref buffer, parser, out var message))
            {
                reader.AdvanceTo(buffer.Start);
                return message;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (leftover > 0)
                {
                    GrpcStatuses.Throw(GrpcStatuses.IncompleteMessage);
                }

                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads exactly one message followed by the end of the request stream (unary and server streaming).</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(IGrpcMessageReader<T> parser) where T : class
    {
        var reader = _http.Request.BodyReader;
        var token = _token;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(token);
            }
            catch (IOException ex)
            {
                throw ClientReset(ex);
            }

            if (result.IsCompleted)
            {
                return TakeSingle(reader, result, parser);
            }

            WaitForMore(reader, result);
        }
    }

    /// <summary>
    /// The synchronous form of <see cref="ReadSingleMessageAsync{T}"/> for the usual case where HEADERS and the
    /// one DATA frame with END_STREAM arrived together; false when more must be awaited.
    /// </summary>
    public bool TryReadSingleMessage<T>(IGrpcMessageReader<T> parser, out T? message) where T : class
    {
        message = null;
        var reader = _http.Request.BodyReader;
        if (!reader.TryRead(out var result))
        {
            return false;
        }

        if (!result.IsCompleted)
        {
            WaitForMore(reader, result);
            return false;
        }

        message = TakeSingle(reader, result, parser);
        return true;
    }

    private T TakeSingle<T>(PipeReader reader, ReadResult result, IGrpcMessageReader<T> parser) where T : class
    {
        var buffer = result.Buffer;
        if (!TryParse(ref buffer, parser, out var message))
        {
            var empty = buffer.IsEmpty;
            reader.AdvanceTo(buffer.End);
            GrpcStatuses.Throw(empty ? GrpcStatuses.MissingRequestMessage : GrpcStatuses.IncompleteMessage);
        }

        var extra = !buffer.IsEmpty;
        reader.AdvanceTo(buffer.End);
        if (extra)
        {
            GrpcStatuses.Throw(GrpcStatuses.ExtraRequestMessage);
        }

        return message!;
    }

    private void WaitForMore(PipeReader reader, ReadResult result)
    {
        // enforce the receive limit as soon as the header is in, before buffering the body
        var buffer = result.Buffer;
        var peek = buffer;
        _ = MessageFraming.TryRead(ref peek, _runtime.Options.MaxReceiveMessageSize, out _, out _);
        reader.AdvanceTo(buffer.Start, buffer.End);
    }

    private bool TryParse<T>(ref ReadOnlySequence<byte> buffer, IGrpcMessageReader<T> parser, out T? message)
        where T : class
    {
        message = null;
        if (!MessageFraming.TryRead(ref buffer, _runtime.Options.MaxReceiveMessageSize, out var compressed, out var payload))
        {
            return false;
        }

        _requestCompressed = compressed;
        try
        {
            if (!compressed)
            {
                message = parser.Read(payload);
                return true;
            }

            if (RequestEncoding is null || RequestEncoding == GrpcProtocol.Identity)
            {
                GrpcStatuses.Throw(GrpcStatuses.CompressedWithoutEncoding);
            }

            message = parser.Read(new ReadOnlySequence<byte>(GzipCodec.Decompress(payload, _runtime.Options.MaxReceiveMessageSize)));
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            throw GrpcStatuses.Exception(GrpcStatuses.InvalidRequestMessage);
        }
    }

    /// <summary>Sends response headers (with the given metadata) if not yet sent.</summary>
    public override Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (ResponseStarted)
        {
            return Task.CompletedTask;
        }

        if (IsConnect)
        {
            MetadataCodec.AddTo(_http.Response.Headers, responseHeaders);
            return Task.CompletedTask;
        }

        StartResponse();
        MetadataCodec.AddTo(_http.Response.Headers, responseHeaders);
        return _http.Response.BodyWriter.FlushAsync(_token).AsTask();
    }

    private void StartResponse()
    {
        ResponseStarted = true;
        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var headers = response.Headers;
        var connect = Protocol == CallProtocol.ConnectStream;
        headers.ContentType = connect ? GrpcProtocol.ConnectStreamProto : GrpcProtocol.ContentType;
        if (ResponseCompression is { } encoding)
        {
            headers[connect ? GrpcProtocol.ConnectContentEncodingHeader : GrpcProtocol.EncodingHeader] = encoding;
            _sentEncoding = encoding;
        }
    }

    /// <summary>
    /// Writes one response message. With <paramref name="flush"/> the task completes when HTTP/2 flow control
    /// accepted the bytes (backpressure for streams); unary calls skip the flush so that message and trailers
    /// leave together. Writes after the deadline or completion are refused.
    /// </summary>
    public Task WriteMessageAsync<T>(T message, IGrpcMessageWriter<T> messageWriter, bool flush, CancellationToken cancellationToken)
    {
        if (_deadlineFired || _completed)
        {
            return Task.FromException(new OperationCanceledException(
                _deadlineFired ? "the call's deadline passed; the response is no longer written" : "the call has completed"));
        }

        if (_pendingWrite is { IsCompleted: false })
        {
            return Task.FromException(new InvalidOperationException("a write is already in progress on this call"));
        }

        if (!ResponseStarted)
        {
            StartResponse();
        }

        var size = messageWriter.Measure(message);
        if (size > _runtime.Options.MaxSendMessageSize)
        {
            return Task.FromException(GrpcStatuses.SendLimitExceeded(size, _runtime.Options.MaxSendMessageSize));
        }

        var writer = _http.Response.BodyWriter;
        if (_sentEncoding is not null && (WriteOptions?.Flags & WriteFlags.NoCompress) != WriteFlags.NoCompress)
        {
            WriteCompressed(writer, message, messageWriter, size);
        }
        else
        {
            var header = writer.GetSpan(GrpcProtocol.HeaderSize);
            MessageFraming.WriteHeader(header, compressed: false, size);
            writer.Advance(GrpcProtocol.HeaderSize);
            messageWriter.Write(message, size, writer);
        }

        if (!flush)
        {
            return Task.CompletedTask;
        }

        var token = cancellationToken.CanBeCanceled ? cancellationToken : _token;
        var pending = writer.FlushAsync(token);
        if (pending.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }

        return _pendingWrite = AwaitFlushAsync(pending);
    }

    private async Task AwaitFlushAsync(ValueTask<FlushResult> pending)
    {
        try
        {
            await pending;
        }
        catch (IOException ex)
        {
            throw ClientReset(ex);
        }
    }

    private void WriteCompressed<T>(PipeWriter writer, T message, IGrpcMessageWriter<T> messageWriter, int size)
    {
        using var raw = new PooledBufferWriter(size);
        messageWriter.Write(message, size, raw);
        var compressed = GzipCodec.Compress(raw.WrittenSpan, _runtime.Options.ResponseCompressionLevel);
        var span = writer.GetSpan(GrpcProtocol.HeaderSize + compressed.Length);
        MessageFraming.WriteHeader(span, compressed: true, compressed.Length);
        compressed.CopyTo(span[GrpcProtocol.HeaderSize..]);
        writer.Advance(GrpcProtocol.HeaderSize + compressed.Length);
    }

    /// <summary>Waits for an in-flight write (its flush observes the cancelled token, so this is prompt).</summary>
    public async Task DrainPendingWriteAsync()
    {
        if (_pendingWrite is { IsCompleted: false } pending)
        {
            try
            {
                await pending;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                // the write lost the race against the deadline; the status below tells the client
            }
        }
    }

    /// <summary>
    /// Ends the call with <paramref name="status"/>: as trailers after messages, or in the HEADERS frame
    /// (Trailers-Only) when nothing was sent. Response trailers metadata travels the same way. A Connect
    /// stream ends instead with an end-stream message (flag 0x02) holding the error and trailers as JSON.
    /// </summary>
    public ValueTask CompleteAsync(in Status status, Metadata? extraTrailers)
    {
        _completed = true;
        var response = _http.Response;
        if (Protocol == CallProtocol.ConnectStream)
        {
            return WriteConnectEndStreamAsync(status, extraTrailers);
        }

        if (!ResponseStarted && !response.HasStarted)
        {
            // Trailers-Only: one HEADERS frame with END_STREAM
            ResponseStarted = true;
            response.StatusCode = StatusCodes.Status200OK;
            var headers = response.Headers;
            headers.ContentType = GrpcProtocol.ContentType;
            WriteStatus(headers, status);
            MetadataCodec.AddTo(headers, _responseTrailers);
            MetadataCodec.AddTo(headers, extraTrailers);
            return ValueTask.CompletedTask;
        }

        if (_http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is not { IsReadOnly: false } trailers)
        {
            return ValueTask.CompletedTask;
        }

        WriteStatus(trailers, status);
        MetadataCodec.AddTo(trailers, _responseTrailers);
        MetadataCodec.AddTo(trailers, extraTrailers);
        return ValueTask.CompletedTask;
    }

    private async ValueTask WriteConnectEndStreamAsync(Status status, Metadata? extraTrailers)
    {
        if (!ResponseStarted && !_http.Response.HasStarted)
        {
            StartResponse();
        }

        var json = Connect.ConnectErrors.EndStreamJson(status, _responseTrailers, extraTrailers);
        var writer = _http.Response.BodyWriter;
        var span = writer.GetSpan(GrpcProtocol.HeaderSize + json.Length);
        MessageFraming.WriteHeader(span, compressed: false, json.Length);
        span[0] = GrpcProtocol.ConnectEndStreamFlag;
        json.CopyTo(span[GrpcProtocol.HeaderSize..]);
        writer.Advance(GrpcProtocol.HeaderSize + json.Length);
        try
        {
            await writer.FlushAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // the client is gone; nothing left to tell it
        }
    }

    private static void WriteStatus(IHeaderDictionary target, in Status status)
    {
        target.GrpcStatus = GrpcStatuses.CodeValue(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            target.GrpcMessage = PercentEncoding.Encode(status.Detail);
        }

        if (status.DetailsBin is { Length: > 0 } details)
        {
            target[GrpcProtocol.StatusDetailsTrailer] = new StringValues(MetadataCodec.ToBase64(details.Span));
        }
    }

    public void Dispose()
    {
        _completed = true;
        _deadlineCts?.Dispose();
        _timerCts?.Dispose();
    }
}
