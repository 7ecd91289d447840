using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Calc.Transport.Grpc.Protocol;

/// <summary>
/// Protocol failures as static statuses (one wording each, tested as tables), and the helpers that build the
/// size-limit statuses, which must name the limit and how to change it.
/// </summary>
internal static class GrpcStatuses
{
    public static readonly Status InvalidCompressedFlag =
        new(StatusCode.Internal, "invalid compressed flag in message header: expected 0 or 1");

    public static readonly Status CompressedWithoutEncoding =
        new(StatusCode.Internal, "message is flagged compressed but the request has no grpc-encoding");

    public static readonly Status CorruptCompressedMessage =
        new(StatusCode.Internal, "compressed message is not valid gzip");

    public static readonly Status IncompleteMessage =
        new(StatusCode.Internal, "request stream ended inside a message");

    public static readonly Status MissingRequestMessage =
        new(StatusCode.Internal, "unary request stream ended without a message");

    public static readonly Status ExtraRequestMessage =
        new(StatusCode.Internal, "unary request carries more than one message");

    public static readonly Status InvalidRequestMessage =
        new(StatusCode.Internal, "request message could not be parsed as protobuf");

    public static readonly Status InvalidTimeout =
        new(StatusCode.Internal, "grpc-timeout header is malformed (expected 1-8 digits and a unit H M S m u n)");

    public static readonly Status InvalidConnectTimeout =
        new(StatusCode.InvalidArgument, "connect-timeout-ms must be 1-10 digits of milliseconds");

    public static readonly Status DeadlineExceeded = new(StatusCode.DeadlineExceeded, "deadline exceeded");

    public static readonly Status Cancelled = new(StatusCode.Cancelled, "call cancelled by the client");

    public static Status UnsupportedEncoding(string encoding) =>
        new(StatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported; supported: {GrpcProtocol.SupportedEncodings}");

    public static Status UnimplementedMethod(string path) =>
        new(StatusCode.Unimplemented, $"method {path} is not implemented by this server");

    public static RpcException ReceiveLimitExceeded(ulong size, int limit, bool decompressed = false) =>
        new(new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
            $"received {(decompressed ? "decompressed " : "")}message of {size} bytes exceeds the receive limit of {limit} bytes (Grpc:MaxReceiveMessageSize)")));

    public static RpcException SendLimitExceeded(int size, int limit) =>
        new(new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
            $"response message of {size} bytes exceeds the send limit of {limit} bytes (Grpc:MaxSendMessageSize)")));

    public static RpcException Exception(Status status) => new(status);

    [DoesNotReturn]
    public static void Throw(Status status) => throw new RpcException(status);

    /// <summary>"0".."16" without allocating per call.</summary>
    public static string CodeText(StatusCode code) =>
        (uint)code < (uint)CodeTexts.Length ? CodeTexts[(int)code] : ((int)code).ToString(CultureInfo.InvariantCulture);

    /// <summary>The grpc-status header value, allocated once per code.</summary>
    public static Microsoft.Extensions.Primitives.StringValues CodeValue(StatusCode code) =>
        (uint)code < (uint)CodeValues.Length ? CodeValues[(int)code] : CodeText(code);

    /// <summary>UPPER_SNAKE names as in doc/statuscodes.md (used in logs and metrics).</summary>
    public static string CodeName(StatusCode code) =>
        (uint)code < (uint)CodeNames.Length ? CodeNames[(int)code] : CodeText(code);

    private static readonly string[] CodeTexts =
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"];

    private static readonly string[] CodeNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    // after CodeTexts: static fields initialize in textual order
    private static readonly Microsoft.Extensions.Primitives.StringValues[] CodeValues =
        [.. CodeTexts.Select(t => new Microsoft.Extensions.Primitives.StringValues(t))];
}
