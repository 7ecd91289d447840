using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Calc.Server.Hosting;

/// <summary>Per-caller limits (configuration section <c>Limits</c>); 0 switches a limit off.</summary>
public sealed class CallerLimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>The default of <see cref="MaxConcurrentCallsPerCaller"/>: one connection's streams (<c>Grpc:MaxConcurrentStreams</c>).</summary>
    public const int DefaultMaxConcurrentCalls = 256;

    /// <summary>Sustained calls per second per caller (token bucket). 0 = unlimited (the default).</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>Bucket size: calls a caller may make at once after being idle. 0 = one second's worth.</summary>
    public int Burst { get; set; }

    /// <summary>Calls and streams in flight per caller, over every connection it uses. Default 256; 0 = unlimited.</summary>
    public int MaxConcurrentCallsPerCaller { get; set; } = DefaultMaxConcurrentCalls;

    /// <summary>Retry delay suggested when the concurrency or buffer limit is hit (RetryInfo). Default 250 ms.</summary>
    public int ConcurrencyRetryAfterMs { get; set; } = 250;

    /// <summary>Callers tracked at most; idle ones are dropped beyond this. Default 10 000.</summary>
    public int MaxTrackedCallers { get; set; } = 10_000;

    /// <summary>
    /// Request bytes the whole process holds for messages not yet complete (gRPC) or bodies being read (JSON).
    /// Unset: 16 × <c>Grpc:MaxReceiveMessageSize</c> (256 MiB). 0 = unlimited.
    /// </summary>
    public long? MaxBufferedRequestBytes { get; set; }

    /// <summary>The same, per caller. Unset: 4 × <c>Grpc:MaxReceiveMessageSize</c> (64 MiB). 0 = unlimited.</summary>
    public long? MaxBufferedRequestBytesPerCaller { get; set; }

    /// <summary>Longest time from a request message's first byte to its last (a JSON body's, likewise). Default 60 s; 0 = none.</summary>
    public TimeSpan MessageReceiveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait for the next message of a client stream (between messages). Default 5 min; 0 = none.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Per-caller limits (<see cref="CallerIdentity"/>: certificate subject, API key name or peer address), decided
/// by <see cref="CallerLimitsMiddleware"/> when a request's headers have arrived and before any of its body is
/// read — grpc-dotnet reads a unary request's message before interceptors run, so a limit in an interceptor
/// comes after the memory is spent. Three limits:
/// <list type="bullet">
/// <item>a token bucket (<c>Limits:RequestsPerSecond</c>, <c>Limits:Burst</c>; off by default): RESOURCE_EXHAUSTED <c>RATE_LIMITED</c>;</item>
/// <item>calls in flight (<c>Limits:MaxConcurrentCallsPerCaller</c>, 256): RESOURCE_EXHAUSTED <c>TOO_MANY_CONCURRENT_CALLS</c>;</item>
/// <item>request bytes held for unfinished messages, per caller and per process (<see cref="RequestBodyGuard"/>):
/// RESOURCE_EXHAUSTED <c>REQUEST_BUFFER_FULL</c>.</item>
/// </list>
/// Each refusal carries ErrorInfo (reason, metadata <c>caller</c>) and RetryInfo; over JSON it is HTTP 429 with
/// the status as the body. Health probes (<c>/alive</c>, <c>/health</c>, <c>grpc.health.v1.Health/Check</c>)
/// are never limited. Refusals are counted (<c>calc.limits.refused</c>) and summarised in at most one log line
/// per reason per 10 seconds.
/// </summary>
public sealed partial class CallerLimits : IDisposable
{
    public const string RateLimited = "RATE_LIMITED";
    public const string TooManyConcurrentCalls = "TOO_MANY_CONCURRENT_CALLS";
    public const string RequestBufferFull = "REQUEST_BUFFER_FULL";
    public const string MessageTimeout = "MESSAGE_TIMEOUT";
    public const string StreamIdle = "STREAM_IDLE_TIMEOUT";

    private readonly double _burst;
    private readonly ConcurrentDictionary<string, CallerState> _callers = new(StringComparer.Ordinal);
    private readonly ApiKeyInterceptor _keys;
    private readonly ILogger<CallerLimits> _logger;
    private readonly Counter<long> _refused;
    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, LogSummary> _refusals = new(StringComparer.Ordinal);
    private long _processBuffered;
    private int _tracked;

    public CallerLimits(IConfiguration configuration, IOptions<GrpcServerOptions> grpc, ApiKeyInterceptor keys, IMeterFactory meters, ILogger<CallerLimits> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(grpc);
        ArgumentNullException.ThrowIfNull(meters);
        Options = configuration.GetSection(CallerLimitOptions.SectionName).Get<CallerLimitOptions>() ?? new CallerLimitOptions();
        var o = Options;
        if (o.RequestsPerSecond < 0 || o.Burst < 0 || o.MaxConcurrentCallsPerCaller < 0 || o.MaxBufferedRequestBytes < 0
            || o.MaxBufferedRequestBytesPerCaller < 0 || o.MessageReceiveTimeout < TimeSpan.Zero || o.StreamIdleTimeout < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Limits:RequestsPerSecond, Burst, MaxConcurrentCallsPerCaller, MaxBufferedRequestBytes, "
                + "MaxBufferedRequestBytesPerCaller, MessageReceiveTimeout and StreamIdleTimeout must not be negative");
        }

        MessageLimit = grpc.Value.MaxReceiveMessageSize;
        MaxBufferedBytes = o.MaxBufferedRequestBytes ?? 16L * MessageLimit;
        MaxBufferedBytesPerCaller = o.MaxBufferedRequestBytesPerCaller ?? 4L * MessageLimit;
        // a message of the largest allowed size, with its 5-byte prefix, must be able to arrive whole
        long needed = MessageLimit + 5L;
        if ((MaxBufferedBytesPerCaller is > 0 && MaxBufferedBytesPerCaller < needed) || (MaxBufferedBytes is > 0 && MaxBufferedBytes < needed))
        {
            throw new InvalidOperationException(
                $"Limits:MaxBufferedRequestBytes ({MaxBufferedBytes}) and Limits:MaxBufferedRequestBytesPerCaller ({MaxBufferedBytesPerCaller}) "
                + $"must be at least Grpc:MaxReceiveMessageSize + 5 ({needed}), or 0 (unlimited): a message of the largest allowed size could never arrive");
        }

        _burst = o.Burst > 0 ? o.Burst : Math.Max(1, Math.Ceiling(o.RequestsPerSecond));
        _keys = keys;
        _logger = logger;
        _meter = meters.Create(CalcServerMetrics.MeterName);
        _refused = _meter.CreateCounter<long>("calc.limits.refused", "{call}", "Calls refused or ended by a per-caller limit, by reason");
        Watch = new RequestBodyWatch(this);
    }

    public CallerLimitOptions Options { get; }

    /// <summary><c>Grpc:MaxReceiveMessageSize</c>: a JSON body longer than this is refused by the JSON layer unread.</summary>
    public long MessageLimit { get; }

    /// <summary>Effective per-process bound on held request bytes (0 = none).</summary>
    public long MaxBufferedBytes { get; }

    /// <summary>Effective per-caller bound on held request bytes (0 = none).</summary>
    public long MaxBufferedBytesPerCaller { get; }

    /// <summary>Request bytes held right now, process-wide.</summary>
    public long BufferedBytes => Interlocked.Read(ref _processBuffered);

    /// <summary>Callers currently tracked (for tests and metrics).</summary>
    public int TrackedCallers => Volatile.Read(ref _tracked);

    internal RequestBodyWatch Watch { get; }

    /// <summary>Probes and the health service are never limited; everything else is.</summary>
    /// <remarks>Every request asks: the second character sends all calc.v1 paths (<c>/calc.v1.…</c>) past the three comparisons.</remarks>
    public static bool IsLimited(PathString path)
    {
        string? value = path.Value;
        return value is not { Length: > 1 } || value[1] switch
        {
            'a' => !path.StartsWithSegments("/alive", StringComparison.Ordinal),
            'h' => !path.StartsWithSegments("/health", StringComparison.Ordinal),
            'g' => !string.Equals(value, "/grpc.health.v1.Health/Check", StringComparison.Ordinal),
            _ => true,
        };
    }

    /// <summary>
    /// Admits a request of <paramref name="caller"/>: a rate token, a concurrency slot, and for a body of known
    /// length (<paramref name="reserve"/> bytes) its buffer space. Null when admitted; else the refusal.
    /// </summary>
    internal RpcException? TryAdmit(string caller, long reserve, out CallerState state)
    {
        if (!_callers.TryGetValue(caller, out var known))
        {
            // counted here rather than read from the dictionary, whose Count takes every one of its locks
            if (Volatile.Read(ref _tracked) >= Options.MaxTrackedCallers)
            {
                Prune();
            }

            var fresh = new CallerState(_burst) { Caller = caller };
            known = _callers.GetOrAdd(caller, fresh);
            if (ReferenceEquals(known, fresh))
            {
                Interlocked.Increment(ref _tracked);
            }
        }

        state = known;
        if (Options.RequestsPerSecond > 0 && !state.TryTake(Options.RequestsPerSecond, _burst, out var wait))
        {
            return Refuse(RateLimited, caller, wait,
                $"caller {caller} is over {Options.RequestsPerSecond.ToString("0.###", CultureInfo.InvariantCulture)} calls per second "
                + $"(burst {_burst:0}; Limits:RequestsPerSecond, Limits:Burst); retry after {wait.TotalMilliseconds:0} ms");
        }

        if (Interlocked.Increment(ref state.InFlight) > Options.MaxConcurrentCallsPerCaller && Options.MaxConcurrentCallsPerCaller > 0)
        {
            Interlocked.Decrement(ref state.InFlight);
            return Refuse(TooManyConcurrentCalls, caller, RetryAfter,
                $"caller {caller} already has {Options.MaxConcurrentCallsPerCaller} calls in flight (Limits:MaxConcurrentCallsPerCaller); "
                + "wait for one to finish");
        }

        if (reserve > 0 && TryBuffer(state, reserve) is { } full)
        {
            Interlocked.Decrement(ref state.InFlight);
            return full;
        }

        return null;
    }

    /// <summary>Ends an admitted request: frees its slot and whatever buffer it still holds.</summary>
    internal void Leave(CallerState state, long stillBuffered)
    {
        Unbuffer(state, stillBuffered);
        Interlocked.Decrement(ref state.InFlight);
    }

    /// <summary>Takes <paramref name="bytes"/> of buffer space for <paramref name="state"/>'s caller; the refusal when over a bound.</summary>
    internal RpcException? TryBuffer(CallerState state, long bytes)
    {
        long caller = Interlocked.Add(ref state.Buffered, bytes);
        long process = Interlocked.Add(ref _processBuffered, bytes);
        if (MaxBufferedBytesPerCaller > 0 && caller > MaxBufferedBytesPerCaller)
        {
            Unbuffer(state, bytes);
            return Refuse(RequestBufferFull, state.Caller, RetryAfter,
                $"caller {state.Caller} already has {Mib(caller - bytes)} of unfinished request messages held by the server "
                + $"(Limits:MaxBufferedRequestBytesPerCaller = {Mib(MaxBufferedBytesPerCaller)}); finish or cancel those first");
        }

        if (MaxBufferedBytes > 0 && process > MaxBufferedBytes)
        {
            Unbuffer(state, bytes);
            return Refuse(RequestBufferFull, state.Caller, RetryAfter,
                $"the server holds {Mib(process - bytes)} of unfinished request messages (Limits:MaxBufferedRequestBytes = "
                + $"{Mib(MaxBufferedBytes)}); retry later");
        }

        return null;
    }

    internal void Unbuffer(CallerState state, long bytes)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref state.Buffered, -bytes);
            Interlocked.Add(ref _processBuffered, -bytes);
        }
    }

    /// <summary>Counts a refusal (or a call ended by a limit) and builds its status.</summary>
    internal RpcException Refuse(string reason, string caller, TimeSpan? retryAfter, string message, StatusCode code = StatusCode.ResourceExhausted)
    {
        Note(reason, caller);
        var info = GrpcErrors.Info(reason, ("caller", caller));
        return retryAfter is { } delay
            ? GrpcErrors.Create(code, message, info, new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) })
            : GrpcErrors.Create(code, message, info);
    }

    public void Dispose()
    {
        Watch.Dispose();
        _meter.Dispose();
    }

    private TimeSpan RetryAfter => TimeSpan.FromMilliseconds(Options.ConcurrencyRetryAfterMs);

    private static string Mib(long bytes) => RequestBodyGuard.Mib(bytes);

    /// <summary>Counts a refusal, or a call ended by a limit; one summary line per reason per 10 s at most.</summary>
    internal void Note(string reason, string caller)
    {
        _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _refusals.GetOrAdd(reason, static _ => new LogSummary()).Count(caller);
        FlushSummaries();
    }

    /// <summary>Logs the refusal summaries that are due (also called every second by <see cref="RequestBodyWatch"/>).</summary>
    internal void FlushSummaries()
    {
        foreach (var (reason, summary) in _refusals)
        {
            if (summary.TryTake(out long count, out string latest))
            {
                LimitsLog.Refused(_logger, count, reason, latest);
            }
        }
    }

    /// <summary>Drops callers with nothing in flight, nothing buffered and a full bucket: forgetting them changes no decision.</summary>
    private void Prune()
    {
        foreach (var (caller, state) in _callers)
        {
            if (Volatile.Read(ref state.InFlight) == 0 && Interlocked.Read(ref state.Buffered) == 0 && state.IsFull(Options.RequestsPerSecond, _burst)
                && _callers.TryRemove(KeyValuePair.Create(caller, state)))
            {
                Interlocked.Decrement(ref _tracked);
            }
        }
    }

    /// <summary>One caller's bucket, calls in flight and buffered bytes.</summary>
    internal sealed class CallerState(double burst)
    {
        private readonly Lock _gate = new();
        private double _tokens = burst;
        private long _refilledAt = Stopwatch.GetTimestamp();

        public int InFlight;
        public long Buffered;

        public string Caller { get; init; } = "";

        public bool TryTake(double perSecond, double capacity, out TimeSpan wait)
        {
            lock (_gate)
            {
                Refill(perSecond, capacity);
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    wait = TimeSpan.Zero;
                    return true;
                }

                wait = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
                return false;
            }
        }

        public bool IsFull(double perSecond, double capacity)
        {
            lock (_gate)
            {
                if (perSecond > 0)
                {
                    Refill(perSecond, capacity);
                }

                return perSecond <= 0 || _tokens >= capacity;
            }
        }

        private void Refill(double perSecond, double capacity)
        {
            long now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(capacity, _tokens + (Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond));
            _refilledAt = now;
        }
    }

    internal void LogLimits(EffectiveConnectionLimit connections, ConnectionLimitOptions options)
    {
        static string Off(long v, Func<long, string> f) => v > 0 ? f(v) : "unlimited";
        static string Time(TimeSpan t) => t > TimeSpan.Zero ? RequestBodyGuard.Seconds(t) : "no limit";
        var o = Options;
        LimitsLog.InForce(_logger, connections.ToString(), Off(options.MaxConnectionsPerAddress, v => v.ToString(CultureInfo.InvariantCulture)),
            Off(o.MaxConcurrentCallsPerCaller, v => v.ToString(CultureInfo.InvariantCulture)), Off(MaxBufferedBytesPerCaller, RequestBodyGuard.Mib),
            Off(MaxBufferedBytes, RequestBodyGuard.Mib), Time(o.MessageReceiveTimeout), Time(o.StreamIdleTimeout),
            o.RequestsPerSecond > 0 ? $"{o.RequestsPerSecond.ToString("0.###", CultureInfo.InvariantCulture)} calls/s (burst {_burst:0})" : "no rate limit");
    }

    /// <summary>The caller of <paramref name="http"/> (<see cref="CallerIdentity"/>); the connection's address key as computed once.</summary>
    internal string CallerOf(HttpContext http, ConnectionStreams? connection) => CallerIdentity.Of(http, _keys, connection?.Caller);

    private static partial class LimitsLog
    {
        [LoggerMessage(EventId = 4301, Level = LogLevel.Information,
            Message = "Limits: {Connections}, {PerAddress} per address; per caller {Concurrent} calls in flight, {PerCaller} of unfinished requests "
            + "({Process} in all), a message within {MessageTimeout}, a stream idle at most {IdleTimeout}, {Rate}")]
        public static partial void InForce(ILogger logger, string connections, string perAddress, string concurrent, string perCaller, string process,
            string messageTimeout, string idleTimeout, string rate);

        [LoggerMessage(EventId = 4300, Level = LogLevel.Warning,
            Message = "Per-caller limits refused or ended {Count} calls with {Reason} in the last 10 s or more (latest caller {Caller})")]
        public static partial void Refused(ILogger logger, long count, string reason, string caller);
    }
}

public static class CallerLimitsExtensions
{
    /// <summary>Puts <see cref="CallerLimitsMiddleware"/> first in the pipeline and logs the limits in force (one line).</summary>
    public static WebApplication UseCallerLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limits = app.Services.GetRequiredService<CallerLimits>();
        limits.LogLimits(app.Services.GetRequiredService<EffectiveConnectionLimit>(),
            app.Configuration.GetSection(ConnectionLimitOptions.SectionName).Get<ConnectionLimitOptions>() ?? new ConnectionLimitOptions());
        app.UseMiddleware<CallerLimitsMiddleware>();
        return app;
    }
}

/// <summary>
/// Applies <see cref="CallerLimits"/> to every request but health probes, before routing and before any of the
/// body is read; wraps the body of an admitted request in a <see cref="RequestBodyGuard"/>.
/// </summary>
public sealed class CallerLimitsMiddleware(RequestDelegate next, CallerLimits limits)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long started = Stopwatch.GetTimestamp();
        // the connection's own state (ConnectionAdmission): its address as a caller, and its stream counts for rapid reset
        var connection = context.Features.Get<ConnectionStreams>();
        CallerLimits.CallerState? state = null;
        IBodyGuard? guard = null;
        try
        {
            if (CallerLimits.IsLimited(context.Request.Path))
            {
                string caller = limits.CallerOf(context, connection);
                bool grpc = IsGrpc(context.Request.ContentType);
                // a JSON body of stated length takes its buffer space now (refused before it is sent); gRPC messages as they arrive
                long reserve = !grpc && context.Request.ContentLength is { } length && length <= limits.MessageLimit ? length : 0;
                if (limits.TryAdmit(caller, reserve, out var admitted) is { } refusal)
                {
                    await WriteRefusalAsync(context, refusal, grpc);
                    return;
                }

                state = admitted;
                guard = RequestBodyGuard.Install(context, limits, admitted, grpc, reserve);
            }

            await next(context);
        }
        catch (RequestBodyRefusedException) when (guard is JsonBodyStream { Failure: { } failure } && !context.Response.HasStarted)
        {
            // the JSON body guard's own refusal or timeout: answered here as JSON, not left to Kestrel as an application
            // error; the rest of the body is not read
            MarkClose(context);
            await JsonErrors.WriteAsync(context.Response, failure.StatusCode == StatusCode.DeadlineExceeded
                ? StatusCodes.Status408RequestTimeout : StatusCodes.Status429TooManyRequests, failure.GetRpcStatus()!);
        }
        finally
        {
            if (state is not null)
            {
                limits.Leave(state, guard!.Release());
            }

            connection?.Ended(started, context);
        }
    }

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>A gRPC refusal as a trailers-only response (status in the headers); a JSON one as HTTP 429 with a google.rpc.Status body.</summary>
    private static async Task WriteRefusalAsync(HttpContext context, RpcException refusal, bool grpc)
    {
        var response = context.Response;
        var status = refusal.GetRpcStatus() ?? new Google.Rpc.Status { Code = (int)refusal.StatusCode, Message = refusal.Status.Detail };
        var retry = status.Details.Select(d => d.TryUnpack<Google.Rpc.RetryInfo>(out var r) ? r : null).FirstOrDefault(r => r is not null);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            MarkClose(context);
        }

        if (!grpc)
        {
            if (retry is not null)
            {
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.RetryDelay.ToTimeSpan().TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await JsonErrors.WriteAsync(response, refusal);
            return;
        }

        string type = context.Request.ContentType!;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = type.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) ? "application/grpc-web-text"
            : type.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) ? "application/grpc-web" : "application/grpc";
        response.Headers["grpc-status"] = status.Code.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');
    }

    /// <summary>
    /// An HTTP/1.x answer given before its request body was read says <c>Connection: close</c>: the connection is not
    /// used for another request (Kestrel still reads what is left of the body for at most 5 s, so that closing does not
    /// reset the answer before the client has it).
    /// </summary>
    private static void MarkClose(HttpContext context)
    {
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
    }
}
