using System.Collections.Concurrent;
using System.Diagnostics;
using Calc.Transport.Grpc;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Server.Hosting;

/// <summary>Per-caller limits (configuration section <c>Limits</c>); 0 switches a limit off.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>Sustained calc.v1 calls per second per caller (token bucket). 0 = unlimited.</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>Bucket size: calls a caller may make at once after being idle. 0 = one second's worth.</summary>
    public int Burst { get; set; }

    /// <summary>calc.v1 calls (unary and streams) in flight per caller. 0 = unlimited.</summary>
    public int MaxConcurrentCallsPerCaller { get; set; }

    /// <summary>Retry delay suggested when the concurrency limit is hit (RetryInfo). Default 250 ms.</summary>
    public int ConcurrencyRetryAfterMs { get; set; } = 250;

    /// <summary>Callers tracked at most; idle ones are dropped beyond this. Default 10 000.</summary>
    public int MaxTrackedCallers { get; set; } = 10_000;

    public bool Enabled => RequestsPerSecond > 0 || MaxConcurrentCallsPerCaller > 0;
}

/// <summary>
/// Rate and concurrency limits per caller (<see cref="CallerIdentity"/>) on calc.v1 methods; health and
/// reflection stay unlimited. Over a limit the call fails before any work with RESOURCE_EXHAUSTED, an
/// ErrorInfo reason (<c>RATE_LIMITED</c> or <c>TOO_MANY_CONCURRENT_CALLS</c>, metadata <c>caller</c>) and a
/// RetryInfo saying when to retry. Register after <see cref="ApiKeyInterceptor"/> so key names are known.
/// </summary>
public sealed class RateLimitInterceptor : CallInterceptor
{
    public const string RateLimited = "RATE_LIMITED";
    public const string TooManyConcurrentCalls = "TOO_MANY_CONCURRENT_CALLS";
    private const string AdmittedKey = "calc.limits.admitted";

    private readonly RateLimitOptions _options;
    private readonly double _burst;
    private readonly ConcurrentDictionary<string, CallerState> _callers = new(StringComparer.Ordinal);

    public RateLimitInterceptor(IConfiguration configuration)
    {
        _options = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (_options.RequestsPerSecond < 0 || _options.Burst < 0 || _options.MaxConcurrentCallsPerCaller < 0)
        {
            throw new InvalidOperationException("Limits:RequestsPerSecond, Limits:Burst and Limits:MaxConcurrentCallsPerCaller must not be negative");
        }

        _burst = _options.Burst > 0 ? _options.Burst : Math.Max(1, Math.Ceiling(_options.RequestsPerSecond));
    }

    /// <summary>Callers currently tracked (for tests and metrics).</summary>
    public int TrackedCallers => _callers.Count;

    /// <summary>With no limit configured the call pipeline skips this hook.</summary>
    protected override bool IsActive => _options.Enabled;

    protected override void OnCallStarting(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_options.Enabled || !context.Method.StartsWith("/calc.v1.", StringComparison.Ordinal))
        {
            return;
        }

        string caller = CallerIdentity.Of(context);
        if (_callers.Count >= _options.MaxTrackedCallers)
        {
            Prune();
        }

        var state = _callers.GetOrAdd(caller, _ => new CallerState(_burst));
        if (_options.RequestsPerSecond > 0 && !state.TryTake(_options.RequestsPerSecond, _burst, out var wait))
        {
            throw Exhausted(RateLimited, caller, wait,
                $"caller {caller} is over {_options.RequestsPerSecond:0.###} calls per second (burst {_burst:0}); retry after {wait.TotalMilliseconds:0} ms");
        }

        if (_options.MaxConcurrentCallsPerCaller > 0)
        {
            if (Interlocked.Increment(ref state.InFlight) > _options.MaxConcurrentCallsPerCaller)
            {
                Interlocked.Decrement(ref state.InFlight);
                throw Exhausted(TooManyConcurrentCalls, caller, TimeSpan.FromMilliseconds(_options.ConcurrencyRetryAfterMs),
                    $"caller {caller} already has {_options.MaxConcurrentCallsPerCaller} calls in flight");
            }

            context.GetHttpContext().Items[AdmittedKey] = state;
        }
    }

    protected override void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetHttpContext().Items.Remove(AdmittedKey, out var admitted) && admitted is CallerState state)
        {
            Interlocked.Decrement(ref state.InFlight);
        }
    }

    private static RpcException Exhausted(string reason, string caller, TimeSpan retryAfter, string message)
    {
        return GrpcErrors.Create(StatusCode.ResourceExhausted, message, GrpcErrors.Info(reason, ("caller", caller)),
            new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) });
    }

    /// <summary>Drops callers with nothing in flight and a full bucket: forgetting them changes no decision.</summary>
    private void Prune()
    {
        foreach (var (caller, state) in _callers)
        {
            if (Volatile.Read(ref state.InFlight) == 0 && state.IsFull(_options.RequestsPerSecond, _burst))
            {
                _callers.TryRemove(caller, out _);
            }
        }
    }

    private sealed class CallerState(double burst)
    {
        private readonly Lock _gate = new();
        private double _tokens = burst;
        private long _refilledAt = Stopwatch.GetTimestamp();

        public int InFlight;

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
}
