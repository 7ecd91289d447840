using System.Collections.Concurrent;

namespace Calc.Application.MarketData;

/// <summary>
/// Collapses concurrent work for the same key into one call: the first caller starts it, everyone asking
/// for the key while it runs — or within <c>retention</c> after it finished — shares its result. The work
/// runs detached from any one caller's cancellation; callers stop waiting on their own token.
/// </summary>
public sealed class SingleFlight<TKey, TResult>(TimeProvider time, TimeSpan retention)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Flight> _flights = new();
    private int _calls;

    /// <summary>Number of times <c>work</c> was actually started (for tests and metrics).</summary>
    public long Started => Interlocked.Read(ref _started);

    private long _started;

    public Task<TResult> RunAsync(TKey key, Func<TKey, Task<TResult>> work, CancellationToken cancellationToken)
    {
        if ((Interlocked.Increment(ref _calls) & 0xFF) == 0)
        {
            Sweep();
        }

        while (true)
        {
            if (_flights.TryGetValue(key, out var existing))
            {
                if (!existing.IsStale(time, retention))
                {
                    return existing.Task.WaitAsync(cancellationToken);
                }

                _flights.TryRemove(new KeyValuePair<TKey, Flight>(key, existing));
                continue;
            }

            var flight = new Flight();
            if (_flights.TryAdd(key, flight))
            {
                Interlocked.Increment(ref _started);
                flight.Start(key, work, time);
                return flight.Task.WaitAsync(cancellationToken);
            }
        }
    }

    private void Sweep()
    {
        foreach (var kv in _flights)
        {
            if (kv.Value.IsStale(time, retention))
            {
                _flights.TryRemove(kv);
            }
        }
    }

    private sealed class Flight
    {
        private readonly TaskCompletionSource<TResult> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _completedAt = -1;

        public Task<TResult> Task => _tcs.Task;

        public bool IsStale(TimeProvider time, TimeSpan retention)
        {
            long completed = Interlocked.Read(ref _completedAt);
            return completed >= 0 && time.GetElapsedTime(completed) > retention;
        }

        public void Start(TKey key, Func<TKey, Task<TResult>> work, TimeProvider time) =>
            _ = RunAsync(key, work, time);

        private async Task RunAsync(TKey key, Func<TKey, Task<TResult>> work, TimeProvider time)
        {
            try
            {
                var result = await System.Threading.Tasks.Task.Run(() => work(key));
                Interlocked.Exchange(ref _completedAt, time.GetTimestamp());
                _tcs.TrySetResult(result);
            }
#pragma warning disable CA1031 // the failure is handed to every waiter, none of whom may be skipped
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Exchange(ref _completedAt, time.GetTimestamp());
                _tcs.TrySetException(e);
            }
        }
    }
}
