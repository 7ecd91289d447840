namespace Calc.Domain.Errors;

/// <summary>
/// The status class of a failure, named after the gRPC status codes so that every layer speaks the same
/// vocabulary. The transport maps it to a wire status in exactly one place.
/// </summary>
public enum ErrorCode
{
    InvalidArgument,
    NotFound,
    FailedPrecondition,
    OutOfRange,
    ResourceExhausted,
    Unavailable,
    DeadlineExceeded,
    Cancelled,
    AlreadyExists,
    PermissionDenied,
    Unauthenticated,
    Unimplemented,
    Internal,
}

/// <summary>
/// A failure a client can branch on: <see cref="Code"/> is the status class, <see cref="Reason"/> a stable
/// UPPER_SNAKE token from <see cref="Reasons"/>, <see cref="Message"/> the human text and <see cref="Field"/>
/// the request field at fault (empty when none).
/// </summary>
public sealed record CalcError(ErrorCode Code, string Reason, string Message, string Field = "")
{
    public static CalcError Invalid(string reason, string field, string message) =>
        new(ErrorCode.InvalidArgument, reason, message, field);

    public static CalcError NotFound(string reason, string message, string field = "") =>
        new(ErrorCode.NotFound, reason, message, field);

    public static CalcError Precondition(string reason, string message, string field = "") =>
        new(ErrorCode.FailedPrecondition, reason, message, field);

    /// <summary>The gRPC status name of <see cref="Code"/> (e.g. <c>INVALID_ARGUMENT</c>).</summary>
    public string CodeName => Code switch
    {
        ErrorCode.InvalidArgument => "INVALID_ARGUMENT",
        ErrorCode.NotFound => "NOT_FOUND",
        ErrorCode.FailedPrecondition => "FAILED_PRECONDITION",
        ErrorCode.OutOfRange => "OUT_OF_RANGE",
        ErrorCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        ErrorCode.Unavailable => "UNAVAILABLE",
        ErrorCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        ErrorCode.Cancelled => "CANCELLED",
        ErrorCode.AlreadyExists => "ALREADY_EXISTS",
        ErrorCode.PermissionDenied => "PERMISSION_DENIED",
        ErrorCode.Unauthenticated => "UNAUTHENTICATED",
        ErrorCode.Unimplemented => "UNIMPLEMENTED",
        _ => "INTERNAL",
    };
}

/// <summary>Thrown where a whole call (not one batch item) must fail with a <see cref="CalcError"/>.</summary>
public sealed class CalcException : Exception
{
    public CalcException(CalcError error) : base(error.Message) => Error = error;

    public CalcException() : this(new CalcError(ErrorCode.Internal, Reasons.Internal, "internal error")) { }

    public CalcException(string message) : this(new CalcError(ErrorCode.Internal, Reasons.Internal, message)) { }

    public CalcException(string message, Exception innerException) : base(message, innerException) =>
        Error = new CalcError(ErrorCode.Internal, Reasons.Internal, message);

    public CalcError Error { get; }
}
