using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Calc.Server.Hosting;

/// <summary>
/// The connection middleware of every listener (<c>ListenOptions.Use</c>), first in each, for the connection
/// limits Kestrel does not give:
/// <list type="bullet">
/// <item><c>Limits:MaxConnections</c> over all listeners together. Kestrel's <c>MaxConcurrentConnections</c> counts
/// each listener on its own (two listeners admit twice the number) and logs a Warning line for every connection
/// it turns away (689 lines for one flood of 1 200 idle connections); it stays set, 64 above, as a backstop
/// that this count keeps it from reaching.</item>
/// <item><c>Limits:MaxConnectionsPerAddress</c> (1 000): open connections from one client address (an IPv6 client:
/// one /64), so one address cannot take every slot.</item>
/// <item><c>Limits:PrematureResetLimit</c> (100): HTTP/2 rapid reset. Kestrel's own guard (ENHANCE_YOUR_CALM)
/// counts only streams the application has not finished, so a client that opens and resets streams Calc finishes
/// at once is never stopped. Each connection gets a <see cref="ConnectionStreams"/> feature; a connection whose
/// client has reset more than the limit of streams within a second of opening them, when those are at least half
/// of its streams, is closed, and its address may open no connection for <c>Limits:RapidResetPenalty</c> (10 s):
/// reconnecting at once would otherwise buy the same again.</item>
/// </list>
/// A connection refused is closed as soon as it is accepted, before any byte is read (and before a TLS handshake).
/// Each kind of refusal is summarised in at most one log line per 10 seconds.
/// </summary>
public sealed partial class ConnectionAdmission : IDisposable
{
    private readonly ConnectionLimitOptions _options;
    private readonly int _maxConnections;
    private readonly ILogger<ConnectionAdmission> _logger;
    private readonly Timer _flush;
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _penalizedUntil = new(StringComparer.Ordinal);
    private readonly LogSummary _overTotal = new();
    private readonly LogSummary _overPerAddress = new();
    private readonly LogSummary _barred = new();
    private readonly LogSummary _rapidResets = new();
    private int _total;
    private (long Streams, long Resets) _lastRapidReset;

    public ConnectionAdmission(ConnectionLimitOptions options, EffectiveConnectionLimit limit, ILogger<ConnectionAdmission> logger)
    {
        ArgumentNullException.ThrowIfNull(limit);
        _options = options;
        _maxConnections = limit.MaxConnections;
        _logger = logger;
        _flush = new Timer(_ => Flush(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    /// <summary>Open connections, all listeners.</summary>
    public int Open => Volatile.Read(ref _total);

    /// <summary>Open connections of <paramref name="addressKey"/> (<see cref="CallerIdentity.AddressKey"/>).</summary>
    public int OpenFrom(string addressKey) => _open.TryGetValue(addressKey, out int n) ? n : 0;

    /// <summary>The connection middleware.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        string key = CallerIdentity.AddressKey((connection.RemoteEndPoint as IPEndPoint)?.Address);
        if (Penalized(key))
        {
            _barred.Count(key);
            Flush();

            connection.Abort(new ConnectionAbortedException($"{key} is barred for rapid reset (Limits:RapidResetPenalty)"));
            return;
        }

        if (Interlocked.Increment(ref _total) > _maxConnections)
        {
            Interlocked.Decrement(ref _total);
            _overTotal.Count(key);
            Flush();

            connection.Abort(new ConnectionAbortedException($"over Limits:MaxConnections ({_maxConnections})"));
            return;
        }

        try
        {
            int max = _options.MaxConnectionsPerAddress;
            if (_open.AddOrUpdate(key, 1, static (_, n) => n + 1) > max && max > 0)
            {
                _overPerAddress.Count(key);
                Flush();

                connection.Abort(new ConnectionAbortedException($"over Limits:MaxConnectionsPerAddress ({max}) from {key}"));
                return;
            }

            connection.Features.Set(new ConnectionStreams(connection, key, _options.PrematureResetLimit, this));

            await next(connection);
        }
        finally
        {
            Close(key);
            Interlocked.Decrement(ref _total);
        }
    };

    internal void OnRapidReset(string key, long streams, long resets)
    {
        if (_options.RapidResetPenalty > TimeSpan.Zero)
        {
            _penalizedUntil[key] = Stopwatch.GetTimestamp() + (long)(_options.RapidResetPenalty.TotalSeconds * Stopwatch.Frequency);
        }

        _lastRapidReset = (streams, resets);
        _rapidResets.Count(key);
        Flush();
    }

    public void Dispose() => _flush.Dispose();

    /// <summary>Logs each summary that is due (one line per kind per 10 s at most).</summary>
    private void Flush()
    {
        if (_overTotal.TryTake(out long count, out string latest))
        {
            Log.OverTotal(_logger, count, _maxConnections, latest);
        }

        if (_overPerAddress.TryTake(out count, out latest))
        {
            Log.OverPerAddress(_logger, count, _options.MaxConnectionsPerAddress, latest);
        }

        if (_rapidResets.TryTake(out count, out latest))
        {
            var (streams, resets) = _lastRapidReset;
            Log.RapidReset(_logger, count, _options.PrematureResetLimit, latest, streams, resets);
        }

        if (_barred.TryTake(out count, out latest))
        {
            Log.Barred(_logger, count, _options.RapidResetPenalty.TotalSeconds, latest);
        }
    }

    private bool Penalized(string key)
    {
        if (_penalizedUntil.IsEmpty || !_penalizedUntil.TryGetValue(key, out long until))
        {
            return false;
        }

        if (Stopwatch.GetTimestamp() < until)
        {
            return true;
        }

        _penalizedUntil.TryRemove(KeyValuePair.Create(key, until));
        return false;
    }

    private void Close(string key)
    {
        if (_open.AddOrUpdate(key, 0, static (_, n) => n - 1) == 0)
        {
            // removed only while still 0: a connection opened meanwhile keeps its count
            _open.TryRemove(KeyValuePair.Create(key, 0));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4310, Level = LogLevel.Warning,
            Message = "Closed {Count} connections over Limits:MaxConnections ({Max}) in the last 10 s or more (latest from {Address})")]
        public static partial void OverTotal(ILogger logger, long count, int max, string address);

        [LoggerMessage(EventId = 4311, Level = LogLevel.Warning,
            Message = "Closed {Count} connections over Limits:MaxConnectionsPerAddress ({Max}) in the last 10 s or more (latest from {Address})")]
        public static partial void OverPerAddress(ILogger logger, long count, int max, string address);

        [LoggerMessage(EventId = 4312, Level = LogLevel.Warning,
            Message = "Closed {Count} HTTP/2 connections for rapid reset (over Limits:PrematureResetLimit {Limit} streams reset by the client "
            + "within 1 s) in the last 10 s or more (latest from {Address}: {Resets} of {Streams} streams)")]
        public static partial void RapidReset(ILogger logger, long count, int limit, string address, long streams, long resets);

        [LoggerMessage(EventId = 4313, Level = LogLevel.Warning,
            Message = "Closed {Count} connections from addresses barred for {Seconds} s after a rapid reset (Limits:RapidResetPenalty) "
            + "in the last 10 s or more (latest from {Address})")]
        public static partial void Barred(ILogger logger, long count, double seconds, string address);
    }
}

/// <summary>
/// One connection's state as the request pipeline sees it (a connection feature set by <see cref="ConnectionAdmission"/>):
/// its address as a caller (<c>ip:…</c>, computed once per connection), and its streams as
/// <see cref="CallerLimitsMiddleware"/> sees them end — how many, and how many the client reset within a second of
/// opening them (rapid reset; checked when <c>Limits:PrematureResetLimit</c> is above 0).
/// </summary>
public sealed class ConnectionStreams
{
    private static readonly long Premature = Stopwatch.Frequency;

    private readonly ConnectionContext _connection;
    private readonly string _address;
    private readonly int _limit;
    private readonly ConnectionAdmission _admission;
    private long _streams;
    private long _resets;
    private int _closed;

    internal ConnectionStreams(ConnectionContext connection, string address, int limit, ConnectionAdmission admission)
    {
        _connection = connection;
        _address = address;
        _limit = limit;
        _admission = admission;
        Caller = "ip:" + address;
    }

    /// <summary>The connection's peer as a caller of <see cref="CallerIdentity"/>.</summary>
    public string Caller { get; }

    /// <summary>A stream (request) that began at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) ended.</summary>
    public void Ended(long started, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long streams = Interlocked.Increment(ref _streams);
        // cheapest first: a stream answered (response started) or older than a second is not a premature reset, and
        // RequestAborted is read (Kestrel creates its token source on first use) only for the rest
        if (_limit <= 0 || Stopwatch.GetTimestamp() - started >= Premature || context.Response.HasStarted
            || !context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        long resets = Interlocked.Increment(ref _resets);
        if (resets > _limit && resets * 2 >= streams && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _admission.OnRapidReset(_address, streams, resets);
            _connection.Abort(new ConnectionAbortedException($"rapid reset: {resets} of {streams} streams reset by the client within 1 s"));
        }
    }
}
