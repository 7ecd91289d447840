using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>What a call ended with, whichever protocol carried it: status name, ErrorInfo reason, HTTP status, body.</summary>
public sealed record Outcome(string Status, string? Reason, int HttpStatus, string Message, byte[] Body)
{
    public bool Ok => Status == "OK";

    public override string ToString() => $"{Status} {Reason ?? "(no reason)"} http={HttpStatus}: {Message}";
}

/// <summary>
/// Raw protocol access for hostile inputs the typed client cannot produce: arbitrary gRPC frames and headers
/// over HTTP/2 (prior knowledge), and arbitrary Connect bodies over HTTP/1.1.
/// </summary>
public static class Wire
{
    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public static string StatusName(int code) => code >= 0 && code < Names.Length ? Names[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An HTTP/2 cleartext client for raw gRPC (one per test class; thread-safe).</summary>
    public static HttpClient NewH2Client() => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>One gRPC message frame: flag, big-endian length, payload.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload, bool compressed = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>POSTs <paramref name="body"/> (already framed) as a gRPC call and reads status and details.</summary>
    public static async Task<Outcome> GrpcAsync(HttpClient http, Uri address, string method, byte[] body,
        IEnumerable<KeyValuePair<string, string>>? headers = null, string contentType = "application/grpc", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/" + method.TrimStart('/')))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("content-type", contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (key, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        byte[] responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        string? status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        if (status is null)
        {
            return new Outcome($"HTTP_{(int)response.StatusCode}", null, (int)response.StatusCode, "", responseBody);
        }

        string message = Uri.UnescapeDataString(Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "");
        string? details = Header(response.TrailingHeaders, "grpc-status-details-bin") ?? Header(response.Headers, "grpc-status-details-bin");
        return new Outcome(StatusName(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)),
            details is null ? null : ReasonOf(FromBase64(details)), (int)response.StatusCode, message, responseBody);
    }

    /// <summary>
    /// POSTs a JSON request to a method's URL (the JSON transcoding binding) and decodes the error body: a
    /// google.rpc.Status as JSON, {"code": 3, "message": …, "details": [{"@type": "…/google.rpc.ErrorInfo", "reason": …}]}.
    /// </summary>
    public static async Task<Outcome> ConnectAsync(HttpClient http, Uri address, string method, HttpContent content, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync(new Uri(address, "/" + method.TrimStart('/')), content, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return new Outcome("OK", null, 200, "", body);
        }

        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            string code = StatusName(root.GetProperty("code").GetInt32());
            string message = root.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            string? reason = null;
            if (root.TryGetProperty("details", out var details))
            {
                foreach (var d in details.EnumerateArray())
                {
                    if (d.GetProperty("@type").GetString() is { } type && type.EndsWith("/google.rpc.ErrorInfo", StringComparison.Ordinal))
                    {
                        reason = d.GetProperty("reason").GetString();
                    }
                }
            }

            return new Outcome(code, reason, (int)response.StatusCode, message, body);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new Outcome($"HTTP_{(int)response.StatusCode}", null, (int)response.StatusCode, "", body);
        }
    }

    public static HttpContent Json(string json) => Bytes(System.Text.Encoding.UTF8.GetBytes(json), "application/json");

    public static HttpContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>The ErrorInfo.reason inside a serialized google.rpc.Status, or null.</summary>
    public static string? ReasonOf(byte[] statusBin)
    {
        var status = Google.Rpc.Status.Parser.ParseFrom(statusBin);
        foreach (var any in status.Details)
        {
            if (any.TryUnpack<Google.Rpc.ErrorInfo>(out var info))
            {
                return info.Reason;
            }
        }

        return null;
    }

    private static string ReasonOf(Google.Rpc.ErrorInfo info) => info.Reason;

    private static byte[] FromBase64(string s)
    {
        s = s.Trim();
        s += new string('=', (4 - (s.Length % 4)) % 4);
        return Convert.FromBase64String(s);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
