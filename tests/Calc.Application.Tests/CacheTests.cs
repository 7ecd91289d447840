using Calc.Application.MarketData;

namespace Calc.Application.Tests;

public sealed class CacheTests
{
    [Fact]
    public void GenerationalCache_BeyondCapacity_KeepsRecentAndPromotedEntriesOnly()
    {
        var cache = new GenerationalCache<int, string>(capacity: 3);
        cache.Set(1, "a");
        cache.Set(2, "b");
        cache.Set(3, "c"); // generation full: 1..3 become the previous generation
        Assert.True(cache.TryGet(1, out _)); // promoted into the new current generation
        cache.Set(4, "d");
        cache.Set(5, "e"); // full again: {1,4,5} previous, {2,3} dropped

        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal("a", one);
        Assert.True(cache.TryGet(5, out _));
        Assert.False(cache.TryGet(2, out _));
        Assert.False(cache.TryGet(3, out _));
        Assert.True(cache.Count <= 6);
    }

    [Fact]
    public void ExpiringCache_AfterTtl_EntryIsGone()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var cache = new ExpiringCache<string, int>(time);
        cache.Set("k", 7, TimeSpan.FromMinutes(1));

        Assert.True(cache.TryGet("k", out int v));
        Assert.Equal(7, v);
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public async Task SingleFlight_ConcurrentCallers_ShareOneRunAndFailuresReachEveryone()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var flight = new SingleFlight<string, int>(time, TimeSpan.FromSeconds(2));
        var gate = new TaskCompletionSource();
        int runs = 0;

        var callers = Enumerable.Range(0, 50).Select(_ => flight.RunAsync("k", async _ =>
        {
            Interlocked.Increment(ref runs);
            await gate.Task;
            throw new InvalidOperationException("upstream down");
        }, CancellationToken.None)).ToArray();
        gate.SetResult();

        foreach (var c in callers)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => c);
        }

        Assert.Equal(1, runs);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(42, await flight.RunAsync("k", _ => Task.FromResult(42), CancellationToken.None));
        Assert.Equal(2, flight.Started);
    }
}
