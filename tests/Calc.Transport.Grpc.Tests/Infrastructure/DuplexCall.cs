using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>An interactive HTTP/2 gRPC call: write request messages one by one, read responses as they come.</summary>
public sealed class DuplexCall : IAsyncDisposable
{
    private readonly Channel<byte[]?> _outgoing;
    private readonly Task<HttpResponseMessage> _pending;
    private HttpResponseMessage? _response;
    private Stream? _body;

    private readonly StreamingContent _content;

    private DuplexCall(Channel<byte[]?> outgoing, Task<HttpResponseMessage> pending, StreamingContent content)
    {
        _outgoing = outgoing;
        _pending = pending;
        _content = content;
    }

    /// <summary>Starts the call; the response headers are awaited lazily by the first read.</summary>
    public static Task<DuplexCall> StartAsync(HttpClient client, string path, IEnumerable<(string, string)>? headers = null,
        CancellationToken ct = default)
    {
        var outgoing = Channel.CreateUnbounded<byte[]?>();
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var content = new StreamingContent(outgoing.Reader);
        request.Content = content;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var pending = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        return Task.FromResult(new DuplexCall(outgoing, pending, content));
    }

    public ValueTask WriteAsync(IMessage message) => _outgoing.Writer.WriteAsync(RawGrpc.Frame(message));

    /// <summary>Request messages the HTTP/2 stream has accepted so far (flushed past flow control).</summary>
    public int Sent => _content.Sent;

    public void CompleteRequest() => _outgoing.Writer.TryWrite(null);

    /// <summary>The next response message, or null at the end of the response body.</summary>
    public async Task<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken ct = default) where T : class, IMessage<T>
    {
        var body = await BodyAsync(ct);
        var header = new byte[5];
        if (!await ReadExactlyOrEndAsync(body, header, ct))
        {
            return null;
        }

        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
        await body.ReadExactlyAsync(payload, ct);
        return parser.ParseFrom(payload);
    }

    public HttpResponseHeaders Trailers => _response!.TrailingHeaders;

    private async Task<Stream> BodyAsync(CancellationToken ct)
    {
        if (_body is null)
        {
            _response = await _pending;
            _body = await _response.Content.ReadAsStreamAsync(ct);
        }

        return _body;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream body, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await body.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        if (_body is not null)
        {
            await _body.DisposeAsync();
        }

        _response?.Dispose();
    }

    private sealed class StreamingContent(ChannelReader<byte[]?> reader) : HttpContent
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.FlushAsync();
            await foreach (var frame in reader.ReadAllAsync())
            {
                if (frame is null)
                {
                    return;
                }

                await stream.WriteAsync(frame);
                await stream.FlushAsync();
                Interlocked.Increment(ref _sent);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
