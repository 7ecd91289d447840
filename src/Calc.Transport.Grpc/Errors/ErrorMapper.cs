using Calc.Domain.Errors;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc.Errors;

/// <summary>
/// The one place where an exception becomes a status (gRPC and JSON transcoding alike, both run interceptors):
/// <list type="bullet">
/// <item><see cref="RpcException"/> → as thrown;</item>
/// <item><see cref="CalcException"/> → the code of its <see cref="CalcError"/> with ErrorInfo/BadRequest details (<see cref="GrpcErrors.FromCalcError"/>);
/// TOO_MANY_ITEMS of a batch method gets what this caller can do about it (<see cref="BatchAdvice"/>);</item>
/// <item><see cref="OperationCanceledException"/>, <see cref="IOException"/> or <see cref="InvalidOperationException"/> (a write after the call ended) once the call's token fired → DEADLINE_EXCEEDED (deadline passed) or CANCELLED;</item>
/// <item>anything else → INTERNAL "internal error (correlation id …)"; the exception is logged, never sent.</item>
/// </list>
/// <see cref="CallPipeline"/> applies it to every call, before the call hooks see the status, so telemetry and
/// the limits see the mapped status.
/// </summary>
internal sealed partial class ErrorMapper(ILogger<ErrorMapper> logger, IOptions<GrpcServerOptions> options)
{
    private readonly bool _detailed = options.Value.EnableDetailedErrors;

    /// <summary>The status a failed call ends with: see the class remarks. Never throws.</summary>
    public RpcException Map(Exception exception, ServerCallContext context)
    {
        bool tokenFired = context.CancellationToken.IsCancellationRequested;
        switch (exception)
        {
            case CalcException { Error.Reason: Reasons.TooManyItems } calc when BatchAdvice(context) is { } advice:
                return GrpcErrors.FromCalcError(calc.Error with { Message = calc.Error.Message + advice });
            case CalcException calc:
                return GrpcErrors.FromCalcError(calc.Error);
            case OperationCanceledException or IOException or InvalidOperationException when tokenFired:
                // the deadline passed, or the client reset the stream while the service was reading or writing
                // (grpc-dotnet refuses a write after the deadline ended the call with InvalidOperationException
                // "Can't write the message because the request is complete.")
                // grpc-dotnet sets the call's status to DEADLINE_EXCEEDED before it cancels the token for the deadline
                // (its timer may fire a fraction of a millisecond before the clock reads the deadline)
                return context.Status.StatusCode == StatusCode.DeadlineExceeded || context.Deadline <= DateTime.UtcNow
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

    private const string IncomeBatch = "/calc.v1.IncomeService/RecognizeIncome";
    private const string IncomeStream = "/calc.v1.IncomeService/StreamRecognizeIncome";

    private static readonly HashSet<string> BatchMethods = new(StringComparer.Ordinal)
    {
        IncomeBatch, IncomeStream, "/calc.v1.QuoteService/BatchGetQuotes", "/calc.v1.QuoteService/ListCbrRates",
        "/calc.v1.QuoteService/ImportClosingPrices", "/calc.v1.QuoteService/ImportCbrRates", "/calc.v1.CollateralService/BatchValueCollateral",
    };

    /// <summary>
    /// What the caller of a batch method over the limit can do, which depends on how it called: over HTTP/1.1
    /// JSON only splitting the batch helps (StreamRecognizeIncome needs HTTP/2 gRPC); over gRPC income may
    /// also be streamed. Null for methods that are not batches (e.g. the tax computations' own caps).
    /// </summary>
    internal static string? BatchAdvice(ServerCallContext context)
    {
        string method = context.Method;
        if (!BatchMethods.Contains(method))
        {
            return null;
        }

        bool json = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;
        return (json, method) switch
        {
            (true, IncomeBatch) => ". Over HTTP/1.1 JSON split the receipts into several calls within that limit "
                + "(StreamRecognizeIncome takes any number of receipts but is a streaming gRPC method: it needs HTTP/2 and a gRPC client)",
            (true, _) => ". Over HTTP/1.1 JSON split the batch into several calls within that limit",
            (false, IncomeBatch) => ". Split the batch into several calls within that limit, or send the receipts through StreamRecognizeIncome in chunks within it",
            (false, IncomeStream) => ". Send the receipts in smaller chunks (any number of chunks per stream)",
            _ => ". Split the batch into several calls within that limit",
        };
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error,
        Message = "gRPC method {Method} failed with an unexpected exception (correlation id {CorrelationId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string correlationId);
}
