namespace Calc.Transport.Grpc.Protocol;

/// <summary>
/// Wire constants of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md) and of the Connect protocol
/// (connectrpc.com/docs/protocol).
/// </summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string ContentTypeProto = "application/grpc+proto";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string StatusDetailsTrailer = "grpc-status-details-bin";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string Identity = "identity";
    public const string Gzip = "gzip";

    /// <summary>Encodings this server decodes and may send, in preference order.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>The same as a header value, allocated once.</summary>
    public static readonly Microsoft.Extensions.Primitives.StringValues SupportedEncodingsValue = SupportedEncodings;

    /// <summary>Length-prefixed message header: 1 byte compressed flag + 4 bytes big-endian length.</summary>
    public const int HeaderSize = 5;

    public const string ConnectJson = "application/json";
    public const string ConnectProto = "application/proto";
    public const string ConnectProtocolVersionHeader = "connect-protocol-version";
    public const string ConnectTimeoutHeader = "connect-timeout-ms";
    public const string ConnectStreamProto = "application/connect+proto";
    public const string ConnectContentEncodingHeader = "connect-content-encoding";
    public const string ConnectAcceptEncodingHeader = "connect-accept-encoding";

    /// <summary>Flag of the Connect end-stream message (a JSON object with error and trailers).</summary>
    public const byte ConnectEndStreamFlag = 0x02;

    /// <summary>Connect streaming with the binary codec (<c>application/connect+proto</c>).</summary>
    public static bool IsConnectStreamContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ConnectStreamProto, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ConnectStreamProto.Length || contentType[ConnectStreamProto.Length] == ';');

    /// <summary>True for <c>application/grpc</c>, <c>application/grpc+proto</c> and their parameters.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        var rest = contentType.AsSpan(ContentType.Length);
        if (rest[0] == ';')
        {
            return true;
        }

        // "+proto" is the only codec this server speaks; "+json" and others are rejected as unsupported.
        return rest.StartsWith("+proto", StringComparison.OrdinalIgnoreCase)
            && (rest.Length == 6 || rest[6] == ';');
    }

    /// <summary>Connect unary codec for a content type: json, proto, or null when not Connect.</summary>
    public static ConnectCodec? ConnectCodecOf(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media[..semicolon];
        }

        media = media.Trim();
        if (media.Equals(ConnectJson, StringComparison.OrdinalIgnoreCase))
        {
            return ConnectCodec.Json;
        }

        return media.Equals(ConnectProto, StringComparison.OrdinalIgnoreCase) ? ConnectCodec.Proto : null;
    }
}

/// <summary>How a call arrived: gRPC, Connect unary, or Connect streaming (enveloped like gRPC, status in an end-stream message).</summary>
internal enum CallProtocol
{
    Grpc,
    ConnectUnary,
    ConnectStream,
}

/// <summary>The two Connect unary codecs.</summary>
internal enum ConnectCodec
{
    Json,
    Proto,
}
