using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;

namespace Calc.Application.Imports;

/// <summary>What one import's write-through did: values the shared cache took, and values it did not.</summary>
public readonly record struct WriteThroughResult(int Written, int Failed)
{
    public static readonly WriteThroughResult None = new(0, 0);
}

/// <summary>
/// Writes the accepted final values of imports (RPC and startup files) through to the shared cache, so that
/// other Calc replicas sharing it see imported closes and rates. The import itself is done when the store
/// has the values: the write-through runs after it, in the background, in batches of <see cref="BatchSize"/>,
/// one import at a time in arrival order. A cache outage never fails an import: the values stay in this
/// process's store, and the values not written are logged (event 3202) and counted
/// (<see cref="ValuesFailed"/>, meter <c>Calc.Application</c> counter <c>calc.import.cache_writes</c>, exported with the others).
/// Nothing is written in embedded mode (no shared cache).
/// </summary>
public sealed partial class ImportWriteThrough : IAsyncDisposable, IDisposable
{
    /// <summary>Values per cache call: one pipelined round trip each, small enough not to hold up the pipe.</summary>
    public const int BatchSize = 500;

    /// <summary>Imports waiting to be written before a new one is dropped (counted as failed).</summary>
    public const int MaxQueuedImports = 256;

    private static readonly Counter<long> CacheWrites = ApplicationMeter.Instance.CreateCounter<long>(
        "calc.import.cache_writes", "{value}", "Imported final values written through to the shared cache, by outcome");

    private readonly IQuoteCache _cache;
    private readonly MarketDataStore _store;
    private readonly ILogger _logger;
    private readonly Channel<Job> _jobs = Channel.CreateBounded<Job>(
        new BoundedChannelOptions(MaxQueuedImports) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _worker;
    private readonly Lock _enqueueLock = new();
    private Task<WriteThroughResult> _last = Task.FromResult(WriteThroughResult.None);
    private long _written;
    private long _failed;

    public ImportWriteThrough(IQuoteCache cache, MarketDataStore store, ILogger<ImportWriteThrough> logger)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _cache = cache;
        _store = store;
        _logger = logger;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>
    /// How long a write waits for a cache that is not connected yet (at startup the cache connects in the
    /// background, usually within milliseconds of the startup import) before it counts as failed.
    /// </summary>
    public TimeSpan ConnectGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Imported values the shared cache took, since start.</summary>
    public long ValuesWritten => Interlocked.Read(ref _written);

    /// <summary>Imported values the shared cache did not take (outage, refusal, queue full), since start.</summary>
    public long ValuesFailed => Interlocked.Read(ref _failed);

    /// <summary>Queues the accepted closes of one import; the task (never faulted) completes once they are written or given up.</summary>
    public Task<WriteThroughResult> EnqueueCloses(IReadOnlyList<DailyClose> accepted, string source)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var finals = accepted.Where(c => c.IsFinal).ToArray();
        return finals.Length == 0 ? Task.FromResult(WriteThroughResult.None) : Enqueue(new Job(source, finals, null));
    }

    /// <summary>
    /// Queues the accepted CBR rates of one import. What is shared is "the rate in force on a date", for every
    /// date the store can now answer for certain: each accepted rate's own date, the days up to the next rate
    /// held, and the days an accepted rate closes after the rate before it.
    /// </summary>
    public Task<WriteThroughResult> EnqueueRates(IReadOnlyList<CbrRate> accepted, string source)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var entries = InForceEntries(accepted, _store);
        return entries.Length == 0 ? Task.FromResult(WriteThroughResult.None) : Enqueue(new Job(source, null, entries));
    }

    /// <summary>Completes when every import queued so far has been written through (or given up).</summary>
    public Task WhenWrittenAsync()
    {
        lock (_enqueueLock)
        {
            return _last;
        }
    }

    /// <summary>Stops taking imports and waits (at most <see cref="ConnectGrace"/> + 5 s) for the queued ones to be written.</summary>
    public async ValueTask DisposeAsync()
    {
        _jobs.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(ConnectGrace + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // shutting down with the cache unreachable: the rest is dropped (the data never left the store)
        }
    }

    /// <summary>Stops taking imports; the queued ones are still written in the background.</summary>
    public void Dispose() => _jobs.Writer.TryComplete();

    /// <summary>The (date, rate in force) entries the store can vouch for after importing <paramref name="accepted"/>.</summary>
    internal static (DateOnly Date, CbrRate Rate)[] InForceEntries(IReadOnlyList<CbrRate> accepted, MarketDataStore store)
    {
        var entries = new Dictionary<(string, DateOnly), (DateOnly, CbrRate)>();
        foreach (var group in accepted.GroupBy(r => r.Currency, StringComparer.Ordinal))
        {
            if (store.GetSeries(group.Key) is not { } series)
            {
                continue;
            }

            var rates = series.Rates;
            var index = new Dictionary<DateOnly, int>(rates.Count);
            for (int k = 0; k < rates.Count; k++)
            {
                index[rates[k].EffectiveDate] = k;
            }

            foreach (var r in group)
            {
                if (!index.TryGetValue(r.EffectiveDate, out int k))
                {
                    continue;
                }

                if (k > 0)
                {
                    AddDays(entries, rates[k - 1], rates[k].EffectiveDate); // the rate before now ends the day before
                }

                AddDays(entries, rates[k], k + 1 < rates.Count ? rates[k + 1].EffectiveDate : rates[k].EffectiveDate.AddDays(1));
            }
        }

        return [.. entries.Values.OrderBy(e => e.Item2.Currency, StringComparer.Ordinal).ThenBy(e => e.Item1)];
    }

    private static void AddDays(Dictionary<(string, DateOnly), (DateOnly, CbrRate)> entries, CbrRate rate, DateOnly until)
    {
        for (var d = rate.EffectiveDate; d < until && d.DayNumber - rate.EffectiveDate.DayNumber < CbrRateSeries.MaxGapDays; d = d.AddDays(1))
        {
            entries[(rate.Currency, d)] = (d, rate);
        }
    }

    private Task<WriteThroughResult> Enqueue(Job job)
    {
        lock (_enqueueLock)
        {
            if (!_jobs.Writer.TryWrite(job))
            {
                Count(0, job.Count);
                LogQueueFull(_logger, job.Count, job.Source, MaxQueuedImports);
                return Task.FromResult(new WriteThroughResult(0, job.Count));
            }

            _last = job.Done.Task;
            return _last;
        }
    }

    private async Task RunAsync()
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            WriteThroughResult result;
            try
            {
                result = await WriteAsync(job).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the cache port promises not to throw; an import must not depend on that promise
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogWriteError(_logger, job.Source, ex);
                result = new WriteThroughResult(0, job.Count);
            }

            Count(result.Written, result.Failed);
            if (result.Failed > 0)
            {
                LogNotWritten(_logger, result.Failed, job.Count, job.Source, _cache.State);
            }
            else if (result.Written > 0)
            {
                LogWritten(_logger, result.Written, job.Source);
            }

            job.Done.TrySetResult(result);
        }
    }

    private async Task<WriteThroughResult> WriteAsync(Job job)
    {
        if (_cache.State == CacheState.Disabled)
        {
            return WriteThroughResult.None; // embedded mode: nobody to share with
        }

        await WaitForConnectionAsync().ConfigureAwait(false);
        int written = 0, failed = 0;
        for (int from = 0; from < job.Count; from += BatchSize)
        {
            int n = Math.Min(BatchSize, job.Count - from);
            bool ok = job.Closes is { } closes
                ? await _cache.TryStoreClosesAsync(new ArraySegment<DailyClose>(closes, from, n), CancellationToken.None).ConfigureAwait(false)
                : await _cache.TryStoreCbrRatesAsync(new ArraySegment<(DateOnly, CbrRate)>(job.Rates!, from, n), CancellationToken.None).ConfigureAwait(false);
            if (ok)
            {
                written += n;
            }
            else
            {
                failed += n;
            }
        }

        return new WriteThroughResult(written, failed);
    }

    private async Task WaitForConnectionAsync()
    {
        long start = Stopwatch.GetTimestamp();
        while (_cache.State != CacheState.Connected && Stopwatch.GetElapsedTime(start) < ConnectGrace)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private void Count(int written, int failed)
    {
        if (written > 0)
        {
            Interlocked.Add(ref _written, written);
            CacheWrites.Add(written, new KeyValuePair<string, object?>("outcome", "written"));
        }

        if (failed > 0)
        {
            Interlocked.Add(ref _failed, failed);
            CacheWrites.Add(failed, new KeyValuePair<string, object?>("outcome", "failed"));
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Import written through to the shared cache: {Values} values from {Source}")]
    private static partial void LogWritten(ILogger logger, int values, string source);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning,
        Message = "Shared cache did not take {Failed} of {Values} imported values from {Source} (cache {State}); this replica's store has them, other replicas will not see them from the cache")]
    private static partial void LogNotWritten(ILogger logger, int failed, int values, string source, CacheState state);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning,
        Message = "Shared cache write-through queue full ({Max} imports waiting): {Values} imported values from {Source} not written to the cache")]
    private static partial void LogQueueFull(ILogger logger, int values, string source, int max);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "Shared cache write-through of {Source} failed")]
    private static partial void LogWriteError(ILogger logger, string source, Exception exception);

    private sealed class Job(string source, DailyClose[]? closes, (DateOnly, CbrRate)[]? rates)
    {
        public string Source { get; } = source;

        public DailyClose[]? Closes { get; } = closes;

        public (DateOnly, CbrRate)[]? Rates { get; } = rates;

        public int Count => Closes?.Length ?? Rates!.Length;

        public TaskCompletionSource<WriteThroughResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
