using System.Threading.Tasks.Sources;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>The reply slot's completion: in either order of reply and registration, no thread-pool hop.</summary>
public sealed class PendingReplyTests
{
    private static readonly RespValue Ok = RespValue.SimpleString("OK"u8.ToArray());

    [Fact]
    public async Task OnCompleted_ReplyAlreadyIn_RunsContinuationOnTheAwaitingThreadBeforeReturning()
    {
        // Arrange: the awaiter lost the race, the reply is in before it registers
        var reply = Accepted(new SingleReply("GET", Timeout.InfiniteTimeSpan));
        reply.Complete();
        int ranOn = 0;
        int registeringThread = Environment.CurrentManagedThreadId;

        // Act
        ((IValueTaskSource<RespValue>)reply).OnCompleted(_ => ranOn = Environment.CurrentManagedThreadId, null, 0,
            ValueTaskSourceOnCompletedFlags.None);

        // Assert
        Assert.Equal(registeringThread, ranOn);
        Assert.Equal("OK", (await reply.Task).AsString());
    }

    [Fact]
    public void Complete_ContinuationRegisteredFirst_RunsItOnTheCompletingThread()
    {
        // Arrange
        var reply = Accepted(new SingleReply("GET", Timeout.InfiniteTimeSpan));
        int ranOn = 0;
        ((IValueTaskSource<RespValue>)reply).OnCompleted(_ => ranOn = Environment.CurrentManagedThreadId, null, 0,
            ValueTaskSourceOnCompletedFlags.None);
        int completingThread = 0;

        // Act: a plain thread plays the reader
        var reader = new Thread(() =>
        {
            completingThread = Environment.CurrentManagedThreadId;
            reply.Complete();
        });
        reader.Start();
        reader.Join();

        // Assert
        Assert.NotEqual(0, completingThread);
        Assert.Equal(completingThread, ranOn);
        Assert.True(reply.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Fail_Cancellation_ReportsCanceledAndThrowsIt()
    {
        // Arrange
        var reply = new SingleReply("GET", Timeout.InfiniteTimeSpan);
        using var cts = new CancellationTokenSource();

        // Act
        reply.Fail(new OperationCanceledException(cts.Token));

        // Assert
        var task = reply.Task;
        Assert.True(task.IsCanceled);
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await task);
    }

    [Fact]
    public async Task Fail_ConnectionError_ReportsFaultedAndLaterRepliesAreIgnored()
    {
        // Arrange
        var reply = Accepted(new SingleReply("GET", Timeout.InfiniteTimeSpan));

        // Act
        reply.Fail(new RedisConnectionException("gone"));
        reply.Complete();

        // Assert
        var task = reply.Task;
        Assert.True(task.IsFaulted);
        Assert.Equal("gone", (await Assert.ThrowsAsync<RedisConnectionException>(async () => await task)).Message);
    }

    [Fact]
    public void OnCompleted_CapturedSynchronizationContext_PostsToItEvenWhenTheReplyIsAlreadyIn()
    {
        // Arrange
        var reply = Accepted(new SingleReply("GET", Timeout.InfiniteTimeSpan));
        reply.Complete();
        var context = new RecordingContext();
        var previous = SynchronizationContext.Current;
        bool ran = false;

        // Act
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            ((IValueTaskSource<RespValue>)reply).OnCompleted(_ => ran = true, null, 0,
                ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        // Assert: posted, not run inline; running the posted item runs the continuation
        Assert.False(ran);
        var posted = Assert.Single(context.Posted);
        posted();
        Assert.True(ran);
    }

    [Fact]
    public void OnCompleted_Twice_Throws()
    {
        // Arrange
        var reply = new SingleReply("GET", Timeout.InfiniteTimeSpan);
        IValueTaskSource<RespValue> source = reply;
        source.OnCompleted(_ => { }, null, 0, ValueTaskSourceOnCompletedFlags.None);

        // Act + Assert
        Assert.Throws<InvalidOperationException>(() => source.OnCompleted(_ => { }, null, 0, ValueTaskSourceOnCompletedFlags.None));
    }

    [Fact]
    public async Task OnCompleted_LostRacesNestedBeyondTheLimit_StackStaysBoundedAndEveryContinuationRuns()
    {
        // Arrange: each continuation registers the next on an already-completed reply (a chain of lost races)
        const int chain = PendingReply<RespValue>.MaxInlineDepth * 3;
        var replies = Enumerable.Range(0, chain).Select(_ => Accepted(new SingleReply("GET", Timeout.InfiniteTimeSpan))).ToArray();
        foreach (var r in replies)
        {
            r.Complete();
        }

        using var depth = new ThreadLocal<int>();
        int maxDepth = 0, ran = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Register(int i) => ((IValueTaskSource<RespValue>)replies[i]).OnCompleted(_ =>
        {
            depth.Value++;
            InterlockedMax(ref maxDepth, depth.Value);
            if (Interlocked.Increment(ref ran) == chain)
            {
                all.SetResult();
            }
            else
            {
                Register(i + 1);
            }

            depth.Value--;
        }, null, 0, ValueTaskSourceOnCompletedFlags.None);

        // Act
        var runner = new Thread(() => Register(0));
        runner.Start();
        runner.Join();
        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(chain, Volatile.Read(ref ran));
        // the runner nests MaxInlineDepth continuations; a pool thread that takes over runs one from the
        // queue and then nests up to MaxInlineDepth more
        Assert.Equal(PendingReply<RespValue>.MaxInlineDepth + 1, maxDepth);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int prior = Interlocked.CompareExchange(ref target, value, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }

    private static SingleReply Accepted(SingleReply reply)
    {
        Assert.True(reply.Accept(Ok));
        return reply;
    }

    private sealed class RecordingContext : SynchronizationContext
    {
        public List<Action> Posted { get; } = [];

        public override void Post(SendOrPostCallback d, object? state) => Posted.Add(() => d(state));
    }
}
