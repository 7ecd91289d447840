using System.Globalization;
using System.Text;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Tests.Infrastructure;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>Many callers share one pipelined connection; each must get exactly its own replies.</summary>
public sealed class RedisClientConcurrencyTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    [RedisFact]
    public async Task ManyCallers_InterleavedSetGetMGetAndBatches_EachGetsItsOwnReplies()
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(fixture.Server.Configuration);
        const int callers = 64, rounds = 150;
        int mismatches = 0;

        // Act
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (int r = 0; r < rounds; r++)
            {
                string key = string.Create(CultureInfo.InvariantCulture, $"conc:{c}:{r}");
                string value = string.Create(CultureInfo.InvariantCulture, $"{c}/{r}/{new string('x', (c * r) % 50)}");
                await client.SetAsync(key, value);
                var got = await client.GetAsync(key);
                var many = await client.MGetAsync([key, "conc:none", key]);
                var batch = new RedisBatch();
                batch.Add("GET", key);
                batch.Add("EXISTS", key);
                batch.Add("ECHO", value);
                var replies = await client.ExecuteAsync(batch);
                if (Encoding.UTF8.GetString(got!) != value
                    || many[1] is not null || Encoding.UTF8.GetString(many[0]!) != value || Encoding.UTF8.GetString(many[2]!) != value
                    || replies[0].AsString() != value || replies[1].IntegerValue != 1 || replies[2].AsString() != value)
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        })));

        // Assert
        Assert.Equal(0, mismatches);
        Assert.True(client.IsConnected);
    }

    [RedisFact]
    public async Task ManyCallers_OnTheSameKeys_ReadOnlyWhatWasWritten()
    {
        // Arrange: 256 fixed keys, each value names its key, read by 64 callers at once
        await using var client = await TestClients.ConnectAsync(fixture.Server.Configuration);
        var batch = new RedisBatch();
        for (int k = 0; k < 256; k++)
        {
            batch.Add("SET", "same:" + k.ToString(CultureInfo.InvariantCulture), "value-of-" + k.ToString(CultureInfo.InvariantCulture));
        }

        await client.ExecuteAsync(batch);
        int wrong = 0;

        // Act
        await Task.WhenAll(Enumerable.Range(0, 64).Select(c => Task.Run(async () =>
        {
            for (int i = 0; i < 400; i++)
            {
                int k = (c * 31 + i * 7) % 256;
                var got = await client.GetAsync("same:" + k.ToString(CultureInfo.InvariantCulture));
                if (Encoding.UTF8.GetString(got!) != "value-of-" + k.ToString(CultureInfo.InvariantCulture))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })));

        // Assert
        Assert.Equal(0, wrong);
    }

    [RedisFact]
    public async Task CallerBlockingItsContinuation_OtherCallersStillEnd()
    {
        // Arrange: replies complete inline on the reader thread; a caller that then blocks (here until the test
        // releases it) must not keep another caller waiting past its own timeout
        await using var client = await TestClients.ConnectAsync(fixture.Server.Configuration + ",syncTimeout=300");
        await client.SetAsync("block:a", "a");
        await client.SetAsync("block:b", "b");
        await Task.Yield(); // this test's code may be running inline on the reader thread: leave it before blocking
        using var release = new ManualResetEventSlim();
        using var blocking = new ManualResetEventSlim();

        // Act
        var blocker = Task.Run(async () =>
        {
            await client.GetAsync("block:a");
            blocking.Set();
            release.Wait(TimeSpan.FromMinutes(1));
        });
        Exception? other;
        bool otherEndedWhileBlocked;
        try
        {
            Assert.True(blocking.Wait(TimeSpan.FromSeconds(30)), "the blocker's GET did not return");
            var others = Record.ExceptionAsync(async () =>
            {
                for (int i = 0; i < 20; i++)
                {
                    await client.GetAsync("block:b");
                }
            });
            otherEndedWhileBlocked = await Task.WhenAny(others, Task.Delay(TimeSpan.FromSeconds(30))) == others;
            other = otherEndedWhileBlocked ? await others : null;
        }
        finally
        {
            release.Set();
        }

        await blocker;

        // Assert: the other caller ended while the blocker still blocked: all 20 served (the blocker ran
        // elsewhere) or the stuck one timed out on its own
        Assert.True(otherEndedWhileBlocked, "the other caller waited for the blocked one");
        Assert.True(other is null || other is RedisTimeoutException, other?.ToString());
    }

    [RedisFact]
    public async Task RepliesOfOneRead_FirstCallerBlocksReader_SecondStillEnds()
    {
        // Arrange: two commands written together usually get their replies in one read; the first caller's
        // continuation runs inline on the reader thread and blocks it until the test releases it
        await using var client = await TestClients.ConnectAsync(fixture.Server.Configuration + ",syncTimeout=300");
        await client.SetAsync("pair:a", "a");
        await client.SetAsync("pair:b", "b");
        using var release = new ManualResetEventSlim();

        // Act
        var first = client.GetAsync("pair:a").AsTask().ContinueWith(
            _ => release.Wait(TimeSpan.FromMinutes(1)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Exception? second;
        bool secondEndedWhileBlocked;
        try
        {
            var pending = Record.ExceptionAsync(async () => await client.GetAsync("pair:b"));
            secondEndedWhileBlocked = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromSeconds(30))) == pending;
            second = secondEndedWhileBlocked ? await pending : null;
        }
        finally
        {
            release.Set();
        }

        await first;

        // Assert: the second caller got its reply or its own timeout while the first still blocked
        Assert.True(secondEndedWhileBlocked, "the second caller waited for the blocked first one");
        Assert.True(second is null || second is RedisTimeoutException, second?.ToString());
    }
}
