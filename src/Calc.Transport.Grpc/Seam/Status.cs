using Google.Protobuf;

namespace Calc.Transport.Grpc;

/// <summary>
/// A call's outcome: code, human message and optional rich details (a serialized <c>google.rpc.Status</c>
/// sent as <c>grpc-status-details-bin</c>).
/// </summary>
public readonly record struct Status(StatusCode StatusCode, string Detail, ByteString? DetailsBin = null)
{
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");
}

/// <summary>Thrown by service code to end a call with a status (same shape as Grpc.Core.RpcException).</summary>
public sealed class RpcException : Exception
{
    public RpcException(Status status) : base(status.Detail) => Status = status;

    public RpcException(Status status, Metadata trailers) : base(status.Detail)
    {
        Status = status;
        Trailers = trailers;
    }

    public RpcException() : this(new Status(StatusCode.Unknown, "")) { }

    public RpcException(string message) : this(new Status(StatusCode.Unknown, message)) { }

    public RpcException(string message, Exception innerException) : base(message, innerException) =>
        Status = new Status(StatusCode.Unknown, message);

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    public Metadata Trailers { get; } = [];
}
