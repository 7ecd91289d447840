using Calc.Domain.Errors;
using Microsoft.Extensions.Logging;

namespace Calc.Transport.Grpc.Errors;

/// <summary>
/// The one place where an exception becomes a status, for gRPC and Connect alike:
/// <list type="bullet">
/// <item><see cref="RpcException"/> → its status (and trailers);</item>
/// <item><see cref="CalcException"/> → the code of its <see cref="CalcError"/> with ErrorInfo/BadRequest details;</item>
/// <item><see cref="OperationCanceledException"/> once the call's token fired → DEADLINE_EXCEEDED or CANCELLED;</item>
/// <item>anything else → INTERNAL "internal error (correlation id …)", the exception logged, never sent.</item>
/// </list>
/// </summary>
internal sealed partial class ErrorMapper(ILogger<ErrorMapper> logger, GrpcServerOptions options)
{
    public Status Map(Exception exception, string method, string correlationId, bool tokenFired, bool deadlineFired,
        out Metadata? trailers)
    {
        trailers = null;
        switch (exception)
        {
            case RpcException rpc:
                trailers = rpc.Trailers.Count > 0 ? rpc.Trailers : null;
                return rpc.Status;
            case CalcException calc:
                return GrpcErrors.FromCalcError(calc.Error).Status;
            case OperationCanceledException when deadlineFired:
                return Protocol.GrpcStatuses.DeadlineExceeded;
            case OperationCanceledException when tokenFired:
                return Protocol.GrpcStatuses.Cancelled;
            case IOException when tokenFired:
                // the client reset the stream while the service was reading or writing
                return Protocol.GrpcStatuses.Cancelled;
            default:
                LogUnhandled(logger, exception, method, correlationId);
                var detail = options.EnableDetailedErrors
                    ? $"internal error (correlation id {correlationId}): {exception.GetType().Name}: {exception.Message}"
                    : $"internal error (correlation id {correlationId})";
                return new Status(StatusCode.Internal, detail);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error,
        Message = "gRPC method {Method} failed with an unexpected exception (correlation id {CorrelationId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string correlationId);
}
