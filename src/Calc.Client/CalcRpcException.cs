using System.Net.Http.Headers;

namespace Calc.Client;

/// <summary>A call that ended with a non-OK gRPC status.</summary>
public sealed class CalcRpcException : Exception
{
    public CalcRpcException(int statusCode, string detail, byte[]? statusDetailsBin, HttpHeaders? trailers)
        : base($"gRPC status {StatusName(statusCode)} ({statusCode}): {detail}")
    {
        StatusCode = statusCode;
        Detail = detail;
        StatusDetailsBin = statusDetailsBin;
        Trailers = trailers;
    }

    public CalcRpcException() : this(2, "unknown", null, null) { }

    public CalcRpcException(string message) : this(2, message, null, null) { }

    public CalcRpcException(string message, Exception innerException) : base(message, innerException) => Detail = message;

    /// <summary>A status the client itself concluded (e.g. DEADLINE_EXCEEDED when its own timer fired first).</summary>
    public CalcRpcException(int statusCode, string detail, Exception innerException)
        : base($"gRPC status {StatusName(statusCode)} ({statusCode}): {detail}", innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>Numeric gRPC status code (0–16).</summary>
    public int StatusCode { get; }

    /// <summary>Status name, e.g. INVALID_ARGUMENT.</summary>
    public string StatusName() => StatusName(StatusCode);

    /// <summary>The decoded grpc-message.</summary>
    public string Detail { get; } = "";

    /// <summary>The raw <c>grpc-status-details-bin</c> (a serialized google.rpc.Status), when sent.</summary>
    public byte[]? StatusDetailsBin { get; }

    public HttpHeaders? Trailers { get; }

    public static string StatusName(int code) => code switch
    {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "CODE_" + code,
    };
}
