using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Calc.Adapters.Redis.Cache;

/// <summary>
/// <see cref="IQuoteCache"/> on Redis through StackExchange.Redis (one <see cref="IConnectionMultiplexer"/>
/// per process, shared with everything else that talks to Redis). Reads are one MGET per hash-tagged series
/// (see <see cref="QuoteCacheKeySchema"/>: legal on a cluster, where the multiplexer routes each to the
/// node owning the slot), writes one <c>SET … EX</c> per value; the multiplexer pipelines all commands of a
/// call. Fail-open: when Redis is down, slow or refuses a command, reads answer "miss", writes are dropped,
/// <see cref="State"/> turns <see cref="CacheState.Degraded"/> and one warning is logged; the multiplexer
/// reconnects by itself and the first successful call (or its reconnect event) logs the recovery. Only the
/// caller's own cancellation is ever thrown.
/// <para>Replicas: after an import's values are acknowledged (<see cref="TryStoreClosesAsync"/>,
/// <see cref="TryStoreCbrRatesAsync"/>, the import write-through's writes) a message on
/// <see cref="ChangedChannel"/> tells the other replicas; each raises <see cref="ChangeEpoch"/> and its
/// in-process tier drops what it had learnt, so it reads the new values from Redis. A reconnect raises the
/// epoch too: messages sent while this replica was disconnected are lost (pub/sub does not queue).</para>
/// </summary>
public sealed class RedisQuoteCache : IQuoteCache, IAsyncDisposable
{
    /// <summary>Keys per MGET: long enough for a month-end batch, short enough not to hold up the pipe.</summary>
    public const int MaxKeysPerCommand = 256;

    /// <summary>Where imports announce changed values to the other replicas (payload: the sender's id).</summary>
    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal(QuoteCacheKeySchema.Prefix + "changed");

    private const int StateUnknown = 0;
    private const int StateConnected = 1;
    private const int StateDegraded = 2;

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly IDatabase _db;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private int _state = StateUnknown;
    private long _epoch;
    private long _changesReceived;
    private string? _lastRejection;

    /// <summary>A cache on its own multiplexer, connected from <paramref name="configuration"/> (StackExchange.Redis syntax) and disposed with the cache.</summary>
    public RedisQuoteCache(string configuration, ILogger<RedisQuoteCache> logger, TimeProvider? timeProvider = null)
        : this(RedisConnection.Connect(RedisConnection.Parse(configuration), logger), logger, timeProvider, ownsConnection: true)
    {
    }

    /// <summary>A cache on the process's shared multiplexer (not disposed with the cache).</summary>
    public RedisQuoteCache(IConnectionMultiplexer redis, ILogger<RedisQuoteCache> logger, TimeProvider? timeProvider = null)
        : this(redis, logger, timeProvider, ownsConnection: false)
    {
    }

    internal RedisQuoteCache(IConnectionMultiplexer redis, ILogger logger, TimeProvider? timeProvider, bool ownsConnection)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(logger);
        _redis = redis;
        _ownsConnection = ownsConnection;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _db = redis.GetDatabase();
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
        // registered with the multiplexer even while disconnected; it subscribes again after every reconnect
        Observe(_redis.GetSubscriber().SubscribeAsync(ChangedChannel, OnChanged));
        if (_redis.IsConnected)
        {
            MarkConnected();
        }
    }

    /// <summary>Connected while the multiplexer is and the last call succeeded; Degraded otherwise (also before the first connect).</summary>
    public CacheState State => Volatile.Read(ref _state) == StateConnected ? CacheState.Connected : CacheState.Degraded;

    /// <inheritdoc />
    public long ChangeEpoch => Interlocked.Read(ref _epoch);

    /// <summary>Change messages received from other replicas since start.</summary>
    public long ChangesReceived => Interlocked.Read(ref _changesReceived);

    /// <summary>The multiplexer this cache uses.</summary>
    public IConnectionMultiplexer Connection => _redis;

    public async ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        var names = new string?[keys.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = QuoteCacheKeySchema.CloseKeyOf(keys[i]);
        }

        var found = await MGetAsync(names, cancellationToken).ConfigureAwait(false);
        for (int i = 0; found is not null && i < found.Length; i++)
        {
            if (found[i] is { } bytes)
            {
                results[i] = QuoteCacheKeySchema.DecodeClose(keys[i], bytes.Span);
            }
        }
    }

    public async ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        var names = new string?[keys.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = QuoteCacheKeySchema.CbrKeyOf(keys[i]);
        }

        var found = await MGetAsync(names, cancellationToken).ConfigureAwait(false);
        for (int i = 0; found is not null && i < found.Length; i++)
        {
            if (found[i] is { } bytes)
            {
                results[i] = QuoteCacheKeySchema.DecodeCbr(keys[i], bytes.Span);
            }
        }
    }

    public async ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken) =>
        await WriteAsync(CloseEntries(closes), announce: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Writes like <see cref="SetClosesAsync"/>; true when Redis acknowledged every SET (then other replicas are told).</summary>
    public ValueTask<bool> TryStoreClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken) =>
        WriteAsync(CloseEntries(closes), announce: true, cancellationToken);

    public async ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken) =>
        await WriteAsync(RateEntries(rates), announce: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Writes like <see cref="SetCbrRatesAsync"/>; true when Redis acknowledged every SET (then other replicas are told).</summary>
    public ValueTask<bool> TryStoreCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken) =>
        WriteAsync(RateEntries(rates), announce: true, cancellationToken);

    /// <summary>One read of each kind (fail-open like any other), so the read path is compiled before the first request.</summary>
    public async ValueTask WarmUpAsync(CancellationToken cancellationToken)
    {
        if (!_redis.IsConnected)
        {
            return;
        }

        var day = new DateOnly(2000, 1, 1);
        await GetClosesAsync([new CloseKey("calc-warm-up", new AssetPair("BTC", "USDT"), day)], new DailyClose?[1], cancellationToken).ConfigureAwait(false);
        await GetCbrRatesAsync([new CbrRateKey("XWU", day)], new CbrRate?[1], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The multiplexer's own view for /health: endpoints with their state and command counters.</summary>
    public IReadOnlyDictionary<string, object> Detail()
    {
        var detail = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["client"] = _redis.ClientName,
            ["connected"] = _redis.IsConnected,
            ["change_epoch"] = ChangeEpoch,
            ["changes_received"] = ChangesReceived,
        };
        var counters = _redis.GetCounters();
        detail["outstanding"] = counters.TotalOutstanding;
        detail["operations"] = counters.Interactive.OperationCount;
        detail["pending_unsent"] = counters.Interactive.PendingUnsentItems;
        detail["awaiting_response"] = counters.Interactive.SentItemsAwaitingResponse;
        detail["failed_async"] = counters.Interactive.FailedAsynchronously;
        detail["subscriptions"] = counters.Subscription.Subscriptions;
        foreach (var endpoint in _redis.GetEndPoints())
        {
            var server = _redis.GetServer(endpoint);
            detail["endpoint " + server.EndPoint] = server.IsConnected
                ? (server.IsReplica ? "replica" : "primary") + ", " + server.ServerType.ToString().ToLowerInvariant()
                : "disconnected";
        }

        return detail;
    }

    public async ValueTask DisposeAsync()
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        if (_ownsConnection)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            try
            {
                await _redis.GetSubscriber().UnsubscribeAsync(ChangedChannel, OnChanged).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
            {
                // disconnected or already closed: nothing left to unsubscribe
            }
        }
    }

    private List<KeyValuePair<RedisKey, (RedisValue Value, TimeSpan Ttl)>> CloseEntries(IReadOnlyList<DailyClose> closes)
    {
        ArgumentNullException.ThrowIfNull(closes);
        var now = _time.GetUtcNow();
        var entries = new List<KeyValuePair<RedisKey, (RedisValue, TimeSpan)>>(closes.Count);
        foreach (var close in closes)
        {
            if (!close.IsFinal || close.Close <= 0)
            {
                continue; // provisional values are never shared
            }

            if (QuoteCacheKeySchema.CloseKeyOf(new CloseKey(close.Venue, close.Pair, close.Date)) is { } key)
            {
                entries.Add(new(key, (QuoteCacheKeySchema.EncodeClose(close), QuoteCacheKeySchema.CloseTtl(close.Date, now))));
            }
        }

        return entries;
    }

    private List<KeyValuePair<RedisKey, (RedisValue Value, TimeSpan Ttl)>> RateEntries(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var now = _time.GetUtcNow();
        var entries = new List<KeyValuePair<RedisKey, (RedisValue, TimeSpan)>>(rates.Count);
        foreach (var (date, rate) in rates)
        {
            if (rate is null || rate.EffectiveDate > date || rate.Nominal < 1 || rate.Value <= 0)
            {
                continue; // a rate cannot be in force before it takes effect
            }

            if (QuoteCacheKeySchema.CbrKeyOf(new CbrRateKey(rate.Currency, date)) is { } key)
            {
                entries.Add(new(key, (QuoteCacheKeySchema.EncodeCbr(rate), QuoteCacheKeySchema.CbrTtl(date, now))));
            }
        }

        return entries;
    }

    /// <summary>One MGET per hash tag (and per <see cref="MaxKeysPerCommand"/> keys), all pipelined; null when the cache could not answer.</summary>
    private async ValueTask<ReadOnlyMemory<byte>?[]?> MGetAsync(string?[] names, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (names.Length == 0)
        {
            return null;
        }

        if (!_redis.IsConnected)
        {
            MarkDegraded("not connected", null);
            return null; // fail fast: nothing is sent while the multiplexer reconnects in the background
        }

        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] is { } name)
            {
                var tag = QuoteCacheKeySchema.HashTagOf(name);
                if (!groups.TryGetValue(tag, out var list))
                {
                    groups[tag] = list = [];
                }

                list.Add(i);
            }
        }

        var commands = new List<(Task<RedisValue[]> Reply, int[] Indexes)>();
        foreach (var list in groups.Values)
        {
            for (int from = 0; from < list.Count; from += MaxKeysPerCommand)
            {
                int n = Math.Min(MaxKeysPerCommand, list.Count - from);
                var keys = new RedisKey[n];
                var indexes = new int[n];
                for (int j = 0; j < n; j++)
                {
                    indexes[j] = list[from + j];
                    keys[j] = names[indexes[j]];
                }

                commands.Add((_db.StringGetAsync(keys), indexes));
            }
        }

        if (!await CompleteAsync(commands.ConvertAll(c => (Task)c.Reply), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var found = new ReadOnlyMemory<byte>?[names.Length];
        bool anyAnswered = false;
        foreach (var (reply, indexes) in commands)
        {
            if (Failure(reply) is { } error)
            {
                Rejected(error);
                continue;
            }

            anyAnswered = true;
            var values = reply.Result;
            for (int j = 0; j < indexes.Length && j < values.Length; j++)
            {
                if (!values[j].IsNull)
                {
                    found[indexes[j]] = (ReadOnlyMemory<byte>)values[j];
                }
            }
        }

        if (anyAnswered)
        {
            MarkConnected();
        }

        return found;
    }

    /// <summary>True when every SET was acknowledged; then, if <paramref name="announce"/>, the other replicas are told.</summary>
    private async ValueTask<bool> WriteAsync(List<KeyValuePair<RedisKey, (RedisValue Value, TimeSpan Ttl)>> entries, bool announce, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (entries.Count == 0)
        {
            return true;
        }

        if (!_redis.IsConnected)
        {
            MarkDegraded("not connected", null);
            return false;
        }

        var writes = new List<Task>(entries.Count);
        foreach (var (key, (value, ttl)) in entries)
        {
            writes.Add(_db.StringSetAsync(key, value, ttl));
        }

        if (!await CompleteAsync(writes, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        foreach (var write in writes)
        {
            if (Failure(write) is { } error)
            {
                Rejected(error);
                return false;
            }
        }

        MarkConnected();
        if (announce)
        {
            try
            {
                await _redis.GetSubscriber().PublishAsync(ChangedChannel, _instanceId).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException)
            {
                // the values are in Redis; replicas that miss the news see it at their next reconnect or generation turn
                MarkDegraded(ex.Message, null);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Waits for every command; false (state Degraded, logged once) when the connection failed or timed out.
    /// Error replies (OOM, NOPERM…) do not count here: they are per command (<see cref="Failure"/>). Throws only
    /// the caller's cancellation; commands left behind are observed so they never surface as unobserved errors.
    /// </summary>
    private async ValueTask<bool> CompleteAsync(List<Task> commands, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(commands);
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(all);
            throw;
        }
        catch (Exception)
        {
            // inspected per command below
        }

        foreach (var command in commands)
        {
            if (command.Exception?.InnerException is { } ex and not RedisServerException)
            {
                MarkDegraded(ex.Message, ex is RedisConnectionException ? null : ex);
                return false;
            }
        }

        return true;
    }

    /// <summary>The error reply of a completed command, or null when it succeeded.</summary>
    private static string? Failure(Task command) => command.Exception?.InnerException?.Message;

    private static void Observe(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void OnChanged(RedisChannel channel, RedisValue message)
    {
        if (message != _instanceId)
        {
            Interlocked.Increment(ref _changesReceived);
            Interlocked.Increment(ref _epoch);
            RedisCacheLog.ChangedElsewhere(_logger, ChangeEpoch);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        MarkDegraded($"{e.FailureType} on {e.EndPoint} ({e.ConnectionType})", null);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _epoch); // change messages sent while disconnected were lost
        MarkConnected();
    }

    private void MarkConnected()
    {
        if (!_redis.IsConnected)
        {
            return;
        }

        if (Interlocked.Exchange(ref _state, StateConnected) != StateConnected)
        {
            _lastRejection = null;
            RedisCacheLog.Connected(_logger, string.Join(',', _redis.GetEndPoints().Select(e => e.ToString())));
        }
    }

    private void MarkDegraded(string reason, Exception? exception)
    {
        if (Interlocked.Exchange(ref _state, StateDegraded) != StateDegraded)
        {
            RedisCacheLog.Degraded(_logger, reason, exception);
        }
    }

    /// <summary>An error reply (OOM, NOPERM, WRONGTYPE…): the value is a miss; each distinct error is logged once.</summary>
    private void Rejected(string error)
    {
        if (!string.Equals(Interlocked.Exchange(ref _lastRejection, error), error, StringComparison.Ordinal))
        {
            RedisCacheLog.CommandRejected(_logger, error);
        }
    }
}
