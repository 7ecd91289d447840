using Calc.Domain.Errors;
using Calc.Transport.Grpc.Rpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc;

/// <summary>
/// Builds <see cref="RpcException"/>s with rich details (<c>google.rpc.Status</c> in
/// <c>grpc-status-details-bin</c>, and in Connect error JSON). Services use these instead of
/// hand-assembling statuses; <see cref="FromCalcError"/> is the one mapping of a domain error.
/// </summary>
public static class GrpcErrors
{
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
        return Create(StatusCode.FailedPrecondition, message, ErrorInfo(reason, ""), failure);
    }

    /// <summary>UNAVAILABLE with ErrorInfo and RetryInfo, for an upstream that is down (the client may retry after the delay).</summary>
    public static RpcException Unavailable(string reason, string message, TimeSpan retryAfter) =>
        Create(StatusCode.Unavailable, message, ErrorInfo(reason, ""),
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) });

    /// <summary>An RpcException for a domain error (what the error mapper uses for <see cref="CalcException"/>).</summary>
    public static RpcException FromCalcError(CalcError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var code = ToStatusCode(error.Code);
        if (string.IsNullOrEmpty(error.Field))
        {
            return Create(code, error.Message, ErrorInfo(error.Reason, ""));
        }

        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation
        {
            Field = error.Field,
            Description = error.Message,
            Reason = error.Reason,
        });
        return Create(code, error.Message, ErrorInfo(error.Reason, error.Field), badRequest);
    }

    /// <summary>A status with the given typed details packed as <c>google.protobuf.Any</c>.</summary>
    public static RpcException Create(StatusCode code, string message, params IMessage[] details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var status = new Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return new RpcException(new Status(code, message, status.ToByteString()));
    }

    /// <summary>The decoded <c>google.rpc.Status</c> of an exception, or null when it carries no details.</summary>
    public static Rpc.Status? DetailsOf(Status status) =>
        status.DetailsBin is { Length: > 0 } bin ? Rpc.Status.Parser.ParseFrom(bin) : null;

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

    private static ErrorInfo ErrorInfo(string reason, string field)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        if (!string.IsNullOrEmpty(field))
        {
            info.Metadata.Add("field", field);
        }

        return info;
    }
}
