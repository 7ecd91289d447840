using Calc.Domain.Errors;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace Calc.Transport.Grpc;

/// <summary>
/// Builds <see cref="RpcException"/>s with rich details: a <c>google.rpc.Status</c> in
/// <c>grpc-status-details-bin</c> through Grpc.StatusProto (JSON transcoding writes the same Status as the
/// error body). <see cref="FromCalcError"/> is the one mapping of a domain error.
/// </summary>
public static class GrpcErrors
{
    /// <summary>Reason of a request message over <c>Grpc:MaxReceiveMessageSize</c> (RESOURCE_EXHAUSTED).</summary>
    public const string MessageTooLarge = "MESSAGE_TOO_LARGE";

    /// <summary>The configuration key of the gRPC message limit.</summary>
    public const string MessageLimitKey = "Grpc:MaxReceiveMessageSize";

    /// <summary>The configuration key of the HTTP request body limit on non-gRPC paths (Kestrel's MaxRequestBodySize).</summary>
    public const string BodyLimitKey = "Limits:MaxRequestBodyBytes";

    /// <summary>The configuration key of the minimum request body data rate (Kestrel's MinRequestBodyDataRate).</summary>
    public const string BodyDataRateKey = "Limits:MinRequestBodyDataRate";

    /// <summary>Reason of a request body that arrived slower than the minimum data rate (DEADLINE_EXCEEDED, HTTP 408).</summary>
    public const string RequestBodyTooSlow = "REQUEST_BODY_TOO_SLOW";

    /// <summary>RESOURCE_EXHAUSTED <c>MESSAGE_TOO_LARGE</c> naming the limit in bytes and what to do.</summary>
    public static Google.Rpc.Status TooLarge(long limit, string limitKey) => TooLarge(limit, limitKey, "request message");

    /// <summary>
    /// RESOURCE_EXHAUSTED <c>MESSAGE_TOO_LARGE</c>: the <paramref name="subject"/> ("request message", "request body")
    /// is over <paramref name="limit"/> bytes, the configured value of <paramref name="limitKey"/>; ErrorInfo metadata
    /// <c>limit_bytes</c> and <c>limit_key</c>.
    /// </summary>
    public static Google.Rpc.Status TooLarge(long limit, string limitKey, string subject)
    {
        string bytes = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.ResourceExhausted,
            Message = $"the {subject} is larger than this server's limit of {bytes} bytes ({limitKey}); "
                + "send fewer items per call (income also streams: StreamRecognizeIncome over HTTP/2 gRPC)",
        };
        status.Details.Add(Any.Pack(Info(MessageTooLarge, ("limit_bytes", bytes), ("limit_key", limitKey))));
        return status;
    }

    /// <summary>
    /// DEADLINE_EXCEEDED <c>REQUEST_BODY_TOO_SLOW</c>: the request body arrived slower than
    /// <paramref name="bytesPerSecond"/> after the <paramref name="gracePeriod"/>; ErrorInfo metadata
    /// <c>min_bytes_per_second</c>, <c>grace_period_seconds</c> and <c>limit_key</c>.
    /// </summary>
    public static Google.Rpc.Status TooSlow(double bytesPerSecond, TimeSpan gracePeriod)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string rate = bytesPerSecond.ToString("0.###", invariant);
        string grace = gracePeriod.TotalSeconds.ToString("0.###", invariant);
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.DeadlineExceeded,
            Message = $"the request body arrived slower than this server's minimum of {rate} bytes/s (after a {grace} s grace period; "
                + $"{BodyDataRateKey}); send the whole body without pauses",
        };
        status.Details.Add(Any.Pack(Info(RequestBodyTooSlow, ("min_bytes_per_second", rate), ("grace_period_seconds", grace), ("limit_key", BodyDataRateKey))));
        return status;
    }

    /// <summary>Reason of a request message that does not parse as its protobuf type (INVALID_ARGUMENT).</summary>
    public const string MalformedMessage = "MALFORMED_MESSAGE";

    /// <summary>INVALID_ARGUMENT <c>MALFORMED_MESSAGE</c>: the request message of <paramref name="method"/> could not be parsed.</summary>
    public static Google.Rpc.Status Malformed(string method)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = $"the request message of {method} could not be parsed (truncated or malformed protobuf, or a string field that is not UTF-8)",
        };
        status.Details.Add(Any.Pack(Info(MalformedMessage, ("method", method))));
        return status;
    }

    /// <summary>The <c>ErrorInfo.domain</c> of every Calc error.</summary>
    public const string Domain = "calc.v1";

    /// <summary>INVALID_ARGUMENT with ErrorInfo{reason, domain, metadata field} and BadRequest.FieldViolation.</summary>
    public static RpcException InvalidArgument(string reason, string field, string message) =>
        FromCalcError(new CalcError(ErrorCode.InvalidArgument, reason, message, field));

    public static RpcException NotFound(string reason, string message, string field = "") =>
        FromCalcError(new CalcError(ErrorCode.NotFound, reason, message, field));

    /// <summary>FAILED_PRECONDITION with ErrorInfo and a PreconditionFailure violation {type = reason, subject, description}.</summary>
    public static RpcException FailedPrecondition(string reason, string subject, string message)
    {
        var failure = new PreconditionFailure();
        failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = reason, Subject = subject, Description = message });
        return Create(StatusCode.FailedPrecondition, message, Info(reason), failure);
    }

    /// <summary>UNAVAILABLE or RESOURCE_EXHAUSTED style errors: ErrorInfo and RetryInfo (the client may retry after the delay).</summary>
    public static RpcException Unavailable(string reason, string message, TimeSpan retryAfter) =>
        Create(StatusCode.Unavailable, message, Info(reason), new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) });

    /// <summary>An RpcException for a domain error (what the error interceptor uses for <see cref="CalcException"/>).</summary>
    public static RpcException FromCalcError(CalcError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var code = ToStatusCode(error.Code);
        if (string.IsNullOrEmpty(error.Field))
        {
            return Create(code, error.Message, Info(error.Reason));
        }

        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation
        {
            Field = error.Field,
            Description = error.Message,
            Reason = error.Reason,
        });
        return Create(code, error.Message, Info(error.Reason, ("field", error.Field)), badRequest);
    }

    /// <summary>A status with the given typed details packed as <c>google.protobuf.Any</c>.</summary>
    public static RpcException Create(StatusCode code, string message, params IMessage[] details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return status.ToRpcException();
    }

    /// <summary>ErrorInfo{reason, domain calc.v1, metadata}.</summary>
    public static ErrorInfo Info(string reason, params (string Key, string Value)[] metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        foreach (var (key, value) in metadata)
        {
            info.Metadata.Add(key, value);
        }

        return info;
    }

    public static StatusCode ToStatusCode(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        ErrorCode.NotFound => StatusCode.NotFound,
        ErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorCode.OutOfRange => StatusCode.OutOfRange,
        ErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
        ErrorCode.Unavailable => StatusCode.Unavailable,
        ErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
        ErrorCode.Cancelled => StatusCode.Cancelled,
        ErrorCode.AlreadyExists => StatusCode.AlreadyExists,
        ErrorCode.PermissionDenied => StatusCode.PermissionDenied,
        ErrorCode.Unauthenticated => StatusCode.Unauthenticated,
        ErrorCode.Unimplemented => StatusCode.Unimplemented,
        _ => StatusCode.Internal,
    };

    /// <summary>The status code as gRPC names it (INVALID_ARGUMENT), for logs and metric tags.</summary>
    public static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
