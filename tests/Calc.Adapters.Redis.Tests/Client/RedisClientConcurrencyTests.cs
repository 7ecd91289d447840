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
    public async Task CallerBlockingItsContinuation_OtherCallersStillTimeOutOnTime()
    {
        // Arrange: replies complete inline on the reader thread; a caller that then blocks must not make
        // another caller wait past its own timeout
        await using var client = await TestClients.ConnectAsync(fixture.Server.Configuration + ",syncTimeout=300");
        await client.SetAsync("block:a", "a");
        await client.SetAsync("block:b", "b");

        // Act
        var blocker = Task.Run(async () =>
        {
            await client.GetAsync("block:a");
#pragma warning disable xUnit1031 // deliberately blocking the completing thread
            Thread.Sleep(1200);
#pragma warning restore xUnit1031
        });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var other = await Record.ExceptionAsync(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                await client.GetAsync("block:b");
            }
        });
        var elapsed = sw.Elapsed;
        await blocker;

        // Assert: either all 20 completed (the blocker ran elsewhere) or the stuck one timed out on time
        Assert.True(other is null || other is RedisTimeoutException, other?.ToString());
        Assert.True(elapsed < TimeSpan.FromMilliseconds(1000), "took " + elapsed);
    }

    [RedisFact]
    public async Task RepliesOfOneRead_FirstCallerBlocksReader_SecondStillTimesOutOnTime()
    {
        // Arrange: two commands written together get their replies in one read; the first caller's
        // continuation runs inline on the reader thread and blocks it
        await using var client = await TestClients.ConnectAsync(fixture.Server.Configuration + ",syncTimeout=300");
        await client.SetAsync("pair:a", "a");
        await client.SetAsync("pair:b", "b");

        // Act
        var first = client.GetAsync("pair:a").AsTask().ContinueWith(
#pragma warning disable xUnit1031 // deliberately blocking the completing (reader) thread
            _ => Thread.Sleep(1500),
#pragma warning restore xUnit1031
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var second = await Record.ExceptionAsync(async () => await client.GetAsync("pair:b"));
        var elapsed = sw.Elapsed;
        await first;

        // Assert: the second caller got its reply or its own timeout, not the first caller's 1.5 s
        Assert.True(second is null || second is RedisTimeoutException, second?.ToString());
        Assert.True(elapsed < TimeSpan.FromMilliseconds(1200), "took " + elapsed);
    }
}
