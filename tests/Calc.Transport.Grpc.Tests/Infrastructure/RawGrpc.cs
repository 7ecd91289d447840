using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>The outcome of a raw gRPC call: HTTP status, headers, decoded messages, and the status wherever it came.</summary>
public sealed record RawResponse(
    HttpStatusCode HttpStatus,
    HttpResponseHeaders Headers,
    HttpContentHeaders ContentHeaders,
    HttpResponseHeaders Trailers,
    IReadOnlyList<(bool Compressed, byte[] Payload)> Messages)
{
    /// <summary>grpc-status from the trailers, or from the headers of a Trailers-Only response.</summary>
    public int? GrpcStatus => Value("grpc-status") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;

    public string? GrpcMessage => Value("grpc-message");

    public bool TrailersOnly => Headers.Contains("grpc-status");

    public string? Value(string name) =>
        Trailers.TryGetValues(name, out var t) ? string.Join(",", t)
        : Headers.TryGetValues(name, out var h) ? string.Join(",", h) : null;

    public T Message<T>(MessageParser<T> parser, int index = 0) where T : IMessage<T> => parser.ParseFrom(Messages[index].Payload);
}

/// <summary>A hand-rolled gRPC client over HttpClient (HTTP/2 prior knowledge), so tests see the wire as it is.</summary>
public static class RawGrpc
{
    public static byte[] Frame(IMessage message, bool compressed = false) => Frame(message.ToByteArray(), compressed);

    public static byte[] Frame(byte[] payload, bool compressed = false)
    {
        var framed = new byte[5 + payload.Length];
        framed[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    public static HttpRequestMessage Request(string path, byte[] body, string contentType = "application/grpc",
        IEnumerable<(string, string)>? headers = null, IReadOnlyList<int>? splitAt = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = splitAt is null ? new ByteArrayContent(body) : new ChunkedContent(body, splitAt),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static async Task<RawResponse> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct = default)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.Content.Headers.ContentType?.MediaType != "application/grpc")
        {
            return new RawResponse(response.StatusCode, response.Headers, response.Content.Headers, response.TrailingHeaders, []);
        }

        try
        {
            return new RawResponse(response.StatusCode, response.Headers, response.Content.Headers, response.TrailingHeaders, Deframe(body));
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidOperationException($"not gRPC framing ({response.StatusCode}): " + Convert.ToHexString(body[..Math.Min(64, body.Length)]));
        }
    }

    public static Task<RawResponse> CallAsync(HttpClient client, string path, IMessage request,
        IEnumerable<(string, string)>? headers = null) =>
        SendAsync(client, Request(path, Frame(request), headers: headers));

    public static List<(bool, byte[])> Deframe(byte[] body)
    {
        var messages = new List<(bool, byte[])>();
        var offset = 0;
        while (offset < body.Length)
        {
            var compressed = body[offset] == 1;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            messages.Add((compressed, body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return messages;
    }

    /// <summary>Request content written in pieces, each flushed (one or more HTTP/2 DATA frames per piece).</summary>
    private sealed class ChunkedContent(byte[] body, IReadOnlyList<int> splitAt) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var start = 0;
            foreach (var cut in splitAt.Append(body.Length))
            {
                await stream.WriteAsync(body.AsMemory(start, cut - start));
                await stream.FlushAsync();
                start = cut;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
