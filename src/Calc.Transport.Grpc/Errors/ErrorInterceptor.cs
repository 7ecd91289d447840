using Calc.Domain.Errors;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc.Errors;

/// <summary>
/// The one place where an exception becomes a status (gRPC and JSON transcoding alike, both run interceptors):
/// <list type="bullet">
/// <item><see cref="RpcException"/> → as thrown;</item>
/// <item><see cref="CalcException"/> → the code of its <see cref="CalcError"/> with ErrorInfo/BadRequest details (<see cref="GrpcErrors.FromCalcError"/>);</item>
/// <item><see cref="OperationCanceledException"/> or <see cref="IOException"/> once the call's token fired → DEADLINE_EXCEEDED (deadline passed) or CANCELLED;</item>
/// <item>anything else → INTERNAL "internal error (correlation id …)"; the exception is logged, never sent.</item>
/// </list>
/// Registered innermost but one, so the telemetry interceptor and the limits see the mapped status.
/// </summary>
internal sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger, IOptions<GrpcServerOptions> options) : Interceptor
{
    private readonly bool _detailed = options.Value.EnableDetailedErrors;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        bool tokenFired = context.CancellationToken.IsCancellationRequested;
        switch (exception)
        {
            case CalcException calc:
                return GrpcErrors.FromCalcError(calc.Error);
            case OperationCanceledException or IOException when tokenFired:
                // the deadline passed, or the client reset the stream while the service was reading or writing
                return context.Deadline <= DateTime.UtcNow
                    ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
                    : new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled by the client"));
            default:
                string correlationId = context.GetHttpContext().TraceIdentifier;
                LogUnhandled(logger, exception, context.Method, correlationId);
                var detail = _detailed
                    ? $"internal error (correlation id {correlationId}): {exception.GetType().Name}: {exception.Message}"
                    : $"internal error (correlation id {correlationId})";
                return GrpcErrors.Create(StatusCode.Internal, detail, GrpcErrors.Info("INTERNAL", ("correlation_id", correlationId)));
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error,
        Message = "gRPC method {Method} failed with an unexpected exception (correlation id {CorrelationId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string correlationId);
}
