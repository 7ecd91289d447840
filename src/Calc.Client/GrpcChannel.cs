using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Calc.Client;

/// <summary>Per-call options.</summary>
public sealed record CallOptions
{
    public static readonly CallOptions Default = new();

    /// <summary>Sent as <c>grpc-timeout</c>; the call is also cancelled locally when it passes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Extra request metadata (e.g. <c>x-api-key</c>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>
/// One HTTP/2 connection pool to a Calc server (h2c with prior knowledge for http://, ALPN for https://),
/// and the three call shapes Calc uses. Thread-safe; create one per server and reuse it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private const int MaxMessageSize = 64 * 1024 * 1024;
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    public GrpcChannel(Uri address, HttpMessageHandler? handler = null)
    {
        Address = address;
        _ownsClient = true;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        })
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public Uri Address { get; }

    public static GrpcChannel ForAddress(string address) => new(new Uri(address));

    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>A unary call: one request, one response, or <see cref="CalcRpcException"/>.</summary>
    public Task<TResponse> UnaryAsync<TRequest, TResponse>(string method, TRequest request, MessageParser<TResponse> parser,
        CallOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest> where TResponse : IMessage<TResponse> =>
        UnaryFramedAsync(method, Frame(request), parser, options, cancellationToken);

    /// <summary>A unary call with a request serialised beforehand (<see cref="PreparedMessage"/>): no encoding per call.</summary>
    public Task<TResponse> UnaryPreparedAsync<TResponse>(string method, PreparedMessage request, MessageParser<TResponse> parser,
        CallOptions? options = null, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        return UnaryFramedAsync(method, request.Framed, parser, options, cancellationToken);
    }

    private async Task<TResponse> UnaryFramedAsync<TResponse>(string method, byte[] framed, MessageParser<TResponse> parser,
        CallOptions? options, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        options ??= CallOptions.Default;
        long started = Stopwatch.GetTimestamp();
        using var cts = Linked(options, cancellationToken);
        using var message = NewRequest(method, options, new ByteArrayContent(framed));
        using var response = await Timed(_http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false);
        var stream = await Timed(response.Content.ReadAsStreamAsync(cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false);
        var reader = new FrameReader(stream);
        TResponse? result = default;
        while (await Timed(reader.ReadAsync(cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false) is { } payload)
        {
            result = parser.ParseFrom(payload);
        }

        ThrowIfError(response);
        return result ?? throw new CalcRpcException(13, "the server sent OK without a response message", null, response.TrailingHeaders);
    }

    /// <summary>A server-streaming call: one request, responses as they arrive.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(string method, TRequest request, MessageParser<TResponse> parser,
        CallOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest> where TResponse : IMessage<TResponse>
    {
        options ??= CallOptions.Default;
        long started = Stopwatch.GetTimestamp();
        using var cts = Linked(options, cancellationToken);
        using var message = NewRequest(method, options, new ByteArrayContent(Frame(request)));
        using var response = await Timed(_http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false);
        var reader = new FrameReader(await Timed(response.Content.ReadAsStreamAsync(cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false));
        while (await Timed(reader.ReadAsync(cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false) is { } payload)
        {
            yield return parser.ParseFrom(payload);
        }

        ThrowIfError(response);
    }

    /// <summary>
    /// A bidirectional call: <paramref name="requests"/> is sent as it is produced (with HTTP/2 flow-control
    /// backpressure) while responses are read as they arrive.
    /// </summary>
    public IAsyncEnumerable<TResponse> DuplexStreamingAsync<TRequest, TResponse>(string method, IAsyncEnumerable<TRequest> requests,
        MessageParser<TResponse> parser, CallOptions? options = null, CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest> where TResponse : IMessage<TResponse> =>
        DuplexStreamingFramedAsync(method, requests, static (m, buffer) => WriteFrame(m, buffer), parser, options, cancellationToken);

    /// <summary>A bidirectional call whose request messages were serialised beforehand (<see cref="PreparedMessage"/>).</summary>
    public IAsyncEnumerable<TResponse> DuplexStreamingPreparedAsync<TResponse>(string method, IAsyncEnumerable<PreparedMessage> requests,
        MessageParser<TResponse> parser, CallOptions? options = null, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse> =>
        DuplexStreamingFramedAsync(method, requests, static (m, buffer) => buffer.Write(m.Framed), parser, options, cancellationToken);

    private async IAsyncEnumerable<TResponse> DuplexStreamingFramedAsync<TRequest, TResponse>(string method, IAsyncEnumerable<TRequest> requests,
        Action<TRequest, ArrayBufferWriter<byte>> frame, MessageParser<TResponse> parser, CallOptions? options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        options ??= CallOptions.Default;
        long started = Stopwatch.GetTimestamp();
        using var cts = Linked(options, cancellationToken);
        var content = new StreamingContent<TRequest>(requests, frame, cts.Token);
        using var message = NewRequest(method, options, content);
        using var response = await Timed(_http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false);
        var reader = new FrameReader(await Timed(response.Content.ReadAsStreamAsync(cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false));
        while (await Timed(reader.ReadAsync(cts.Token), options, started, cts, cancellationToken).ConfigureAwait(false) is { } payload)
        {
            yield return parser.ParseFrom(payload);
        }

        ThrowIfError(response);
        await content.Completion.ConfigureAwait(false);
    }

    private static CancellationTokenSource Linked(CallOptions options, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout is { } timeout)
        {
            // a little later than the server's deadline, so the server's DEADLINE_EXCEEDED normally wins
            cts.CancelAfter(timeout + TimeSpan.FromMilliseconds(200));
        }

        return cts;
    }

    /// <summary>
    /// Awaits one step of a call, ending it as a gRPC client does once the call's deadline has passed: as
    /// DEADLINE_EXCEEDED (<see cref="CalcRpcException"/> status 4), whether the call's own timer (timeout + 200 ms)
    /// fired before the server's status arrived, or the server reset the stream after the deadline (the reset
    /// can reach a duplex call while it is still sending, before the server's status could be read). A caller's
    /// own cancellation stays a cancellation; a failure before the deadline stays what it is.
    /// </summary>
    private static async Task<T> Timed<T>(Task<T> step, CallOptions options, long started, CancellationTokenSource call, CancellationToken caller)
    {
        try
        {
            return await step.ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (call.IsCancellationRequested && !caller.IsCancellationRequested && options.Timeout is { } timeout)
        {
            throw new CalcRpcException(4, $"deadline exceeded: no answer within the call's timeout of {timeout.TotalMilliseconds:0} ms", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !caller.IsCancellationRequested
            && options.Timeout is { } timeout && Stopwatch.GetElapsedTime(started) >= timeout)
        {
            throw new CalcRpcException(4, $"deadline exceeded: the server ended the call after the call's timeout of {timeout.TotalMilliseconds:0} ms ({e.Message})", e);
        }
    }

    private static HttpRequestMessage NewRequest(string method, CallOptions options, HttpContent content)
    {
        content.Headers.ContentType = GrpcContentType;
        var message = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (options.Timeout is { } timeout)
        {
            message.Headers.TryAddWithoutValidation("grpc-timeout", Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds)) + "m");
        }

        if (options.Headers is not null)
        {
            foreach (var (key, value) in options.Headers)
            {
                message.Headers.TryAddWithoutValidation(key, value);
            }
        }

        return message;
    }

    private static void WriteFrame(IMessage message, ArrayBufferWriter<byte> buffer)
    {
        int size = message.CalculateSize();
        var span = buffer.GetSpan(5 + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.WriteTo(span.Slice(5, size));
        buffer.Advance(5 + size);
    }

    internal static byte[] Frame(IMessage message)
    {
        int size = message.CalculateSize();
        var buffer = new byte[5 + size];
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
        message.WriteTo(buffer.AsSpan(5));
        return buffer;
    }

    private static void ThrowIfError(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new CalcRpcException(HttpToGrpc(response.StatusCode), $"HTTP {(int)response.StatusCode} from the server", null, response.Headers);
        }

        // Trailers-Only responses carry the status in the headers.
        HttpHeaders source = response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : response.Headers;
        if (!source.TryGetValues("grpc-status", out var values))
        {
            throw new CalcRpcException(13, "the response has no grpc-status", null, response.TrailingHeaders);
        }

        int code = int.Parse(values.First(), System.Globalization.CultureInfo.InvariantCulture);
        if (code == 0)
        {
            return;
        }

        string detail = source.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.First()) : "";
        byte[]? details = source.TryGetValues("grpc-status-details-bin", out var d) ? DecodeBase64(d.First()) : null;
        throw new CalcRpcException(code, detail, details, source);
    }

    private static byte[] DecodeBase64(string value)
    {
        string padded = value.PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '=');
        return Convert.FromBase64String(padded);
    }

    private static int HttpToGrpc(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => 13,
        HttpStatusCode.Unauthorized => 16,
        HttpStatusCode.Forbidden => 7,
        HttpStatusCode.NotFound => 12,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => 14,
        _ => 2,
    };

    /// <summary>Reads length-prefixed gRPC messages from a response body.</summary>
    private sealed class FrameReader(Stream stream)
    {
        private readonly byte[] _header = new byte[5];

        public async Task<byte[]?> ReadAsync(CancellationToken cancellationToken)
        {
            int read = await ReadFullyAsync(_header, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            if (read < 5)
            {
                throw new CalcRpcException(13, "the response ended inside a message header", null, null);
            }

            if (_header[0] != 0)
            {
                throw new CalcRpcException(13, "compressed response messages are not supported by this client", null, null);
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(1));
            if (length > MaxMessageSize)
            {
                throw new CalcRpcException(8, $"response message of {length} bytes exceeds the client limit of {MaxMessageSize}", null, null);
            }

            var payload = new byte[length];
            if (await ReadFullyAsync(payload, cancellationToken).ConfigureAwait(false) < payload.Length)
            {
                throw new CalcRpcException(13, "the response ended inside a message", null, null);
            }

            return payload;
        }

        private async Task<int> ReadFullyAsync(byte[] buffer, CancellationToken cancellationToken)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
    }

    /// <summary>Request body that frames messages as the producer yields them.</summary>
    private sealed class StreamingContent<T>(IAsyncEnumerable<T> messages, Action<T, ArrayBufferWriter<byte>> frame, CancellationToken cancellationToken)
        : HttpContent
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _completion.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                await foreach (var message in messages.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    buffer.ResetWrittenCount();
                    frame(message, buffer);
                    await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                _completion.TrySetResult();
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
                throw;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
