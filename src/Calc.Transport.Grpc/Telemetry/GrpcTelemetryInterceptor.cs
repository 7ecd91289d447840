using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Calc.Transport.Grpc.Telemetry;

/// <summary>
/// Structured logging (method, status, duration, request id) and metrics for every call, as an
/// grpc-dotnet interceptor (outermost, so it sees the mapped status). Meter <c>Calc.Transport.Grpc</c>: <c>calc.grpc.server.calls</c>
/// (by method and code), <c>calc.grpc.server.errors</c> (by method and code, non-OK only),
/// <c>calc.grpc.server.duration</c> (seconds histogram) and <c>calc.grpc.server.active_calls</c> (in-flight).
/// </summary>
internal sealed partial class GrpcTelemetryInterceptor : CallInterceptor, IDisposable
{
    public const string MeterName = "Calc.Transport.Grpc";

    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;

    public GrpcTelemetryInterceptor(ILogger<GrpcTelemetryInterceptor> logger, IMeterFactory meterFactory)
    {
        _logger = logger;
        _meter = meterFactory.Create(MeterName);
        _calls = _meter.CreateCounter<long>("calc.grpc.server.calls", "{call}", "Completed calls by method and status code");
        _errors = _meter.CreateCounter<long>("calc.grpc.server.errors", "{call}", "Calls that ended with a non-OK status, by code");
        _duration = _meter.CreateHistogram<double>("calc.grpc.server.duration", "s", "Call duration from headers to status");
        _active = _meter.CreateUpDownCounter<long>("calc.grpc.server.active_calls", "{call}", "Calls in flight");
    }

    protected internal override void OnCallStarting(ServerCallContext context)
    {
        if (_active.Enabled)
        {
            _active.Add(1, new KeyValuePair<string, object?>("rpc.method", context.Method));
        }
    }

    protected internal override void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
        var code = GrpcErrors.CodeName(status.StatusCode);
        if (_calls.Enabled || _duration.Enabled || _errors.Enabled)
        {
            var tags = new TagList { { "rpc.method", context.Method }, { "rpc.grpc.status_code", code } };
            _calls.Add(1, tags);
            _duration.Record(elapsed.TotalSeconds, tags);
            if (status.StatusCode != StatusCode.OK)
            {
                _errors.Add(1, tags);
            }
        }

        if (_active.Enabled)
        {
            _active.Add(-1, new KeyValuePair<string, object?>("rpc.method", context.Method));
        }

        var level = status.StatusCode switch
        {
            StatusCode.OK => LogLevel.Debug,
            StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        if (!_logger.IsEnabled(level))
        {
            return; // the request id is a string Kestrel builds on first use: only for calls that are logged
        }

        var ms = elapsed.TotalMilliseconds;
        var requestId = context.GetHttpContext().TraceIdentifier;
        switch (level)
        {
            case LogLevel.Debug:
                LogCompleted(_logger, context.Method, code, ms, requestId);
                break;
            case LogLevel.Warning:
                LogServerError(_logger, context.Method, code, ms, requestId, status.Detail);
                break;
            default:
                LogClientError(_logger, context.Method, code, ms, requestId, status.Detail);
                break;
        }
    }

    public void Dispose() => _meter.Dispose();

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug,
        Message = "gRPC {Method} finished {StatusCode} in {ElapsedMs:0.###} ms (request {RequestId})")]
    private static partial void LogCompleted(ILogger logger, string method, string statusCode, double elapsedMs, string requestId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information,
        Message = "gRPC {Method} finished {StatusCode} in {ElapsedMs:0.###} ms (request {RequestId}): {StatusMessage}")]
    private static partial void LogClientError(ILogger logger, string method, string statusCode, double elapsedMs,
        string requestId, string statusMessage);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning,
        Message = "gRPC {Method} finished {StatusCode} in {ElapsedMs:0.###} ms (request {RequestId}): {StatusMessage}")]
    private static partial void LogServerError(ILogger logger, string method, string statusCode, double elapsedMs,
        string requestId, string statusMessage);
}
