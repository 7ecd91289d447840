using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Resp;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;

namespace Calc.Adapters.Redis.Cache;

/// <summary>
/// <see cref="IQuoteCache"/> on Redis, through Calc's own RESP client. Each call is one round trip: reads
/// are one MGET per series (see <see cref="QuoteCacheKeySchema"/> for why), writes one <c>SET … EX</c> per
/// value, all pipelined as one batch. Fail-open: when Redis is down, slow or refuses a command, reads
/// answer "miss", writes are dropped, <see cref="State"/> turns <see cref="CacheState.Degraded"/> and one
/// warning is logged; the client reconnects by itself and the first successful call logs the recovery.
/// Only the caller's own cancellation is ever thrown.
/// </summary>
public sealed class RedisQuoteCache : IQuoteCache, IAsyncDisposable
{
    /// <summary>Keys per MGET: long enough for a month-end batch, short enough not to hold up the pipe.</summary>
    public const int MaxKeysPerCommand = 256;

    private const int StateUnknown = 0;
    private const int StateConnected = 1;
    private const int StateDegraded = 2;

    private readonly RedisClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _state = StateUnknown;
    private string? _lastRejection;

    public RedisQuoteCache(string configuration, ILogger<RedisQuoteCache> logger, TimeProvider? timeProvider = null)
        : this(RedisOptions.Parse(configuration), logger, timeProvider)
    {
    }

    public RedisQuoteCache(RedisOptions options, ILogger<RedisQuoteCache> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        RedisCacheLog.Starting(_logger, options.ToString());
        _client = RedisClient.Start(options);
        _client.ConnectionChanged += OnConnectionChanged;
        if (_client.IsConnected)
        {
            MarkConnected();
        }
    }

    /// <summary>Connected while the last connection event and the last call succeeded; Degraded otherwise (also before the first connect).</summary>
    public CacheState State => Volatile.Read(ref _state) == StateConnected ? CacheState.Connected : CacheState.Degraded;

    internal RedisClient Client => _client;

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
                results[i] = QuoteCacheKeySchema.DecodeClose(keys[i], bytes);
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
                results[i] = QuoteCacheKeySchema.DecodeCbr(keys[i], bytes);
            }
        }
    }

    public ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken) =>
        IgnoreOutcome(TryStoreClosesAsync(closes, cancellationToken));

    /// <summary>Writes like <see cref="SetClosesAsync"/>; true when Redis acknowledged every SET.</summary>
    public ValueTask<bool> TryStoreClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(closes);
        var now = _time.GetUtcNow();
        var batch = new RedisBatch();
        foreach (var close in closes)
        {
            if (!close.IsFinal || close.Close <= 0)
            {
                continue; // provisional values are never shared
            }

            var key = QuoteCacheKeySchema.CloseKeyOf(new CloseKey(close.Venue, close.Pair, close.Date));
            if (key is not null)
            {
                RedisCommands.AddSet(batch, key, QuoteCacheKeySchema.EncodeClose(close),
                    QuoteCacheKeySchema.CloseTtl(close.Date, now), SetCondition.Always);
            }
        }

        return WriteAsync(batch, cancellationToken);
    }

    public ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken) =>
        IgnoreOutcome(TryStoreCbrRatesAsync(rates, cancellationToken));

    /// <summary>Writes like <see cref="SetCbrRatesAsync"/>; true when Redis acknowledged every SET.</summary>
    public ValueTask<bool> TryStoreCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var now = _time.GetUtcNow();
        var batch = new RedisBatch();
        foreach (var (date, rate) in rates)
        {
            if (rate is null || rate.EffectiveDate > date || rate.Nominal < 1 || rate.Value <= 0)
            {
                continue; // a rate cannot be in force before it takes effect
            }

            var key = QuoteCacheKeySchema.CbrKeyOf(new CbrRateKey(rate.Currency, date));
            if (key is not null)
            {
                RedisCommands.AddSet(batch, key, QuoteCacheKeySchema.EncodeCbr(rate),
                    QuoteCacheKeySchema.CbrTtl(date, now), SetCondition.Always);
            }
        }

        return WriteAsync(batch, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _client.ConnectionChanged -= OnConnectionChanged;
        await _client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One MGET per hash tag, all in one batch; null when the cache could not answer.</summary>
    private async ValueTask<byte[]?[]?> MGetAsync(string?[] names, CancellationToken cancellationToken)
    {
        if (names.Length == 0)
        {
            return null;
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

        var batch = new RedisBatch();
        var commandIndexes = new List<int[]>();
        foreach (var list in groups.Values)
        {
            for (int from = 0; from < list.Count; from += MaxKeysPerCommand)
            {
                int n = Math.Min(MaxKeysPerCommand, list.Count - from);
                var args = new RedisArg[n + 1];
                var indexes = new int[n];
                args[0] = "MGET";
                for (int j = 0; j < n; j++)
                {
                    indexes[j] = list[from + j];
                    args[j + 1] = names[indexes[j]]!;
                }

                batch.Add(args);
                commandIndexes.Add(indexes);
            }
        }

        var replies = await ExecuteAsync(batch, cancellationToken).ConfigureAwait(false);
        if (replies is null)
        {
            return null;
        }

        var found = new byte[]?[names.Length];
        for (int c = 0; c < replies.Length; c++)
        {
            var reply = replies[c];
            var indexes = commandIndexes[c];
            if (reply.IsError)
            {
                Rejected(reply.ErrorMessage);
                continue;
            }

            if (reply.Kind != RespKind.Array || reply.Items.Length != indexes.Length)
            {
                Rejected("unexpected MGET reply " + reply);
                continue;
            }

            var items = reply.Items;
            for (int j = 0; j < indexes.Length; j++)
            {
                found[indexes[j]] = items[j].ByteArray;
            }
        }

        return found;
    }

    private static async ValueTask IgnoreOutcome(ValueTask<bool> write) => await write.ConfigureAwait(false);

    /// <summary>True when every command of the batch was acknowledged.</summary>
    private async ValueTask<bool> WriteAsync(RedisBatch batch, CancellationToken cancellationToken)
    {
        var replies = await ExecuteAsync(batch, cancellationToken).ConfigureAwait(false);
        if (replies is null)
        {
            return false;
        }

        foreach (var reply in replies)
        {
            if (reply.IsError)
            {
                Rejected(reply.ErrorMessage);
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs a batch; null on any outage (logged once per state change). Throws only the caller's cancellation.</summary>
    private async ValueTask<RespValue[]?> ExecuteAsync(RedisBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return [];
        }

        if (!_client.IsConnected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MarkDegraded("not connected", null);
            return null; // fail fast: nothing is sent while the client reconnects in the background
        }

        RespValue[]? replies = null;
        Exception? failure = null;
        try
        {
            replies = await _client.ExecuteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or OperationCanceledException)
        {
            failure = ex;
        }

        // The client completes callers on its connection's reader thread (see RedisClient). Leave it before
        // running anything else, so that the application's code never holds up other callers' replies.
        await Task.Yield();

        if (failure is null)
        {
            MarkConnected();
            return replies;
        }

        if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(failure.Message, failure, cancellationToken);
        }

        MarkDegraded(failure.Message, failure is RedisConnectionException ? null : failure);
        return null;
    }

    private void OnConnectionChanged(RedisConnectionEvent e)
    {
        if (e.Connected)
        {
            MarkConnected();
        }
        else
        {
            MarkDegraded(e.Error?.Message ?? "disconnected", null);
        }
    }

    private void MarkConnected()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        if (Interlocked.Exchange(ref _state, StateConnected) != StateConnected)
        {
            _lastRejection = null;
            RedisCacheLog.Connected(_logger, string.Join(',', _client.Options.Endpoints), _client.Protocol);
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
