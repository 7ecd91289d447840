using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using ErrorInfo = Google.Rpc.ErrorInfo;
using BadRequest = Google.Rpc.BadRequest;
using PreconditionFailure = Google.Rpc.PreconditionFailure;
using RetryInfo = Google.Rpc.RetryInfo;
using Microsoft.AspNetCore.Http;

namespace Calc.Transport.Grpc.Json;

/// <summary>
/// Error bodies of the JSON surface: a <c>google.rpc.Status</c> as JSON, <c>{"code", "message", "details"}</c>,
/// with the details' <c>@type</c> and fields readable (the google.rpc detail types are in
/// <see cref="TypeRegistry"/>, which JSON transcoding also uses), so a 1C program finds
/// <c>details[0].reason</c> without decoding base64.
/// </summary>
public static class JsonErrors
{
    /// <summary>The detail types Calc sends: ErrorInfo, BadRequest, PreconditionFailure, RetryInfo.</summary>
    public static TypeRegistry TypeRegistry { get; } = TypeRegistry.FromMessages(
        ErrorInfo.Descriptor, BadRequest.Descriptor, PreconditionFailure.Descriptor, RetryInfo.Descriptor);

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry));

    /// <summary>Writes <paramref name="error"/>'s status as the JSON body with the HTTP status JSON transcoding uses for its code.</summary>
    public static Task WriteAsync(HttpResponse response, RpcException error)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(error);
        var status = error.GetRpcStatus() ?? new Google.Rpc.Status { Code = (int)error.StatusCode, Message = error.Status.Detail };
        return WriteAsync(response, HttpStatusOf(error.StatusCode), status);
    }

    public static Task WriteAsync(HttpResponse response, int httpStatus, Google.Rpc.Status status)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = httpStatus;
        response.ContentType = "application/json; charset=utf-8";
        return response.WriteAsync(Formatter.Format(status));
    }

    /// <summary>A Status with an ErrorInfo{reason, domain calc.v1}.</summary>
    public static Google.Rpc.Status Status(StatusCode code, string reason, string message)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(GrpcErrors.Info(reason)));
        return status;
    }

    /// <summary>The HTTP status for a gRPC code, as JSON transcoding maps it (google/rpc/code.proto).</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => 400,
        StatusCode.DeadlineExceeded => 504,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.Aborted => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.Unauthenticated => 401,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        _ => 500,
    };
}
