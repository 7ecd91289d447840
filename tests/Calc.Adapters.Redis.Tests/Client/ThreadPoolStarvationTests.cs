using System.Globalization;
using System.Text;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Resp;
using Calc.Adapters.Redis.Tests.Infrastructure;

namespace Calc.Adapters.Redis.Tests.Client;

[CollectionDefinition(nameof(ThreadPoolStarvationTests), DisableParallelization = true)]
public sealed class ThreadPoolStarvationCollection;

/// <summary>
/// StackExchange.Redis #806/#2214: stalls under thread-pool starvation. The client's reader, writer and
/// timeout threads are its own, and a reply that arrives before the caller registers its continuation is
/// handed over on the caller's thread (not queued to the pool), so a caller that does not need the pool is
/// served while every pool thread is blocked. Runs alone (it starves the whole process for a moment).
/// </summary>
[Collection(nameof(ThreadPoolStarvationTests))]
public sealed class ThreadPoolStarvationTests
{
    private const int Gets = 50;

    // generous: with the pool starved a pool-dependent completion never comes, so any bound fails it;
    // a loaded CI machine must not
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [RedisFact]
    public async Task PoolStarved_CallerOnItsOwnThread_IsServedPromptly()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync();
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",syncTimeout=60000");
        for (int i = 0; i < Gets; i++)
        {
            await client.SetAsync(Key(i), Value(i));
        }

        // replies complete their callers inline on the reader thread: leave it before blocking anything below
        await Task.Yield();
        int correct = 0;
        Exception? failure = null;
        using var starvation = PoolStarvation.Start();

        // Act: on a plain thread, per key (a) GET through the typed helper, waiting for its completion, and
        // (b) GET whose continuation is registered only after the reply is in: the awaiter's lost race,
        // made certain. Before the fix (b) was queued to the starved pool every time, and (a) often.
        var caller = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < Gets; i++)
                {
                    var typed = client.GetAsync(Key(i));
                    WaitUntil(() => typed.IsCompleted, "GET " + Key(i));
#pragma warning disable CA1849, VSTHRD002 // completed: Result does not block
                    correct += Encoding.UTF8.GetString(typed.Result!) == Value(i) ? 1 : 0;
#pragma warning restore CA1849, VSTHRD002

                    correct += GetWithLateContinuation(client, i) == Value(i) ? 1 : 0;
                }
            }
#pragma warning disable CA1031 // reported by the assertion below
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }
        });
        caller.Start();
        bool finished = caller.Join(Patience * 4);
        bool poolWasStarved = !starvation.ProbeRan;
        starvation.Release();

        // Assert
        Assert.True(finished, "the caller thread did not finish");
        Assert.Null(failure);
        Assert.Equal(2 * Gets, correct);
        Assert.True(poolWasStarved, "the pool was not starved throughout (the probe queued behind the blockers ran): the test proved nothing");
    }

    /// <summary>GET; waits until the reply is in, then registers the continuation and waits for it to run.</summary>
    private static string? GetWithLateContinuation(RedisClient client, int i)
    {
        var pending = client.ExecuteAsync(["GET", Key(i)]);
        WaitUntil(() => pending.IsCompleted, "raw GET " + Key(i));
        var awaiter = pending.ConfigureAwait(false).GetAwaiter();
        using var ran = new ManualResetEventSlim();
        RespValue reply = default;
        awaiter.UnsafeOnCompleted(() =>
        {
            reply = awaiter.GetResult();
            ran.Set();
        });
        if (!ran.Wait(Patience))
        {
            throw new TimeoutException("the continuation of GET " + Key(i) + ", registered after its reply arrived, did not run within "
                + Patience.TotalSeconds + " s with the thread pool starved (it was queued to the pool)");
        }

        return reply.AsString();
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        var spin = default(SpinWait);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(what + " not completed within " + Patience.TotalSeconds + " s with the thread pool starved");
            }

            spin.SpinOnce();
        }
    }

    private static string Key(int i) => "starve:" + i.ToString(CultureInfo.InvariantCulture);

    private static string Value(int i) => "v" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Blocks every pool thread: more blockers than the pool has threads (plus room for the threads it injects
    /// meanwhile), then a probe. The probe is queued behind all blockers, so it runs only if the pool got a
    /// free thread; not running by the end proves the pool was starved for the whole act.
    /// </summary>
    private sealed class PoolStarvation : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private int _probeRan;

        private PoolStarvation()
        {
        }

        public bool ProbeRan => Volatile.Read(ref _probeRan) != 0;

        public static PoolStarvation Start()
        {
            var s = new PoolStarvation();
            int blockers = ThreadPool.ThreadCount + (Environment.ProcessorCount * 64);
            for (int i = 0; i < blockers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static r => r.Wait(TimeSpan.FromMinutes(2)), s._release, preferLocal: false);
            }

            ThreadPool.UnsafeQueueUserWorkItem(static p => Volatile.Write(ref p._probeRan, 1), s, preferLocal: false);
            return s;
        }

        public void Release() => _release.Set();

        // the event is not disposed: queued blockers still wait on it after the test returns
        public void Dispose() => _release.Set();
    }
}
