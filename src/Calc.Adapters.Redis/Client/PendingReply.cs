using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Client;

/// <summary>
/// A slot in a connection's FIFO of expected replies: one command, or a batch of N commands sent
/// back to back. The slot stays in the FIFO until all its replies have arrived, even when the caller has
/// already given up (timeout, cancellation): a late reply is then consumed and dropped, so it can never be
/// handed to the caller behind it.
/// </summary>
internal abstract class PendingReply
{
    private int _done;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _token;

    protected PendingReply(string? command, TimeSpan timeout)
    {
        Command = command ?? "command";
        Timeout = timeout;
    }

    /// <summary>Name of the (first) command, for error messages.</summary>
    public string Command { get; }

    public TimeSpan Timeout { get; }

    /// <summary>When the command was queued for writing (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long QueuedAt { get; private set; }

    public bool IsCompleted => Volatile.Read(ref _done) != 0;

    public void MarkQueued(long timestamp) => QueuedAt = timestamp;

    public void RegisterCancellation(CancellationToken token)
    {
        _token = token;
        if (token.CanBeCanceled)
        {
            _cancellation = token.UnsafeRegister(
                static (state, ct) => ((PendingReply)state!).Fail(new OperationCanceledException(ct)), this);
        }
    }

    /// <summary>
    /// Takes one reply (called under the connection lock); true when the slot has all its replies and
    /// leaves the FIFO. The caller is completed afterwards, outside the lock, by <see cref="Complete"/>.
    /// </summary>
    public abstract bool Accept(in RespValue reply);

    /// <summary>Hands the accepted reply (or replies) to the caller, unless it has already given up.</summary>
    public abstract void Complete();

    /// <summary>
    /// Times the caller out — unless its own token is already cancelled (its cancellation callback may simply not
    /// have run yet on a busy thread pool), in which case it gets the cancellation it asked for.
    /// </summary>
    public void TimeOut(Exception timeout) =>
        Fail(_token.IsCancellationRequested ? new OperationCanceledException(_token) : timeout);

    /// <summary>Completes the caller's task with <paramref name="error"/>, if not already completed.</summary>
    public void Fail(Exception error)
    {
        if (TryClaim())
        {
            SetException(error);
        }
    }

    protected bool TryClaim()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return false;
        }

        _cancellation.Unregister();
        return true;
    }

    protected abstract void SetException(Exception error);
}

/// <summary>
/// A reply slot that is also the caller's <see cref="IValueTaskSource{TResult}"/>, built so that no
/// completion ever needs the thread pool (<see cref="ManualResetValueTaskSourceCore{TResult}"/> does not
/// give that: see <see cref="OnCompleted"/>).
/// </summary>
/// <remarks>
/// Two orders are possible. The caller registers its continuation first and the reply comes later: the
/// continuation runs on the completing thread (reader, timeout thread, or the thread that cancelled), as
/// before. Or the reply arrives in the gap between the awaiter's <c>IsCompleted</c> check and its
/// <c>OnCompleted</c> call (on loopback Redis answers in tens of microseconds, so the gap is often hit):
/// <see cref="ManualResetValueTaskSourceCore{TResult}"/> then queues the continuation to the thread pool,
/// and a caller on its own thread waits for a pool thread it may never get (the starvation defect). Here
/// the continuation runs at once on the awaiting thread, exactly where it would have run had
/// <c>IsCompleted</c> said true a microsecond later. A captured synchronization context or task scheduler
/// is still honoured, and a thread that keeps losing the race while nesting continuations is bounded
/// (<see cref="MaxInlineDepth"/>) so the stack cannot grow without limit.
/// </remarks>
internal abstract class PendingReply<T> : PendingReply, IValueTaskSource<T>
{
    /// <summary>
    /// Continuations nested by lost races on one thread before falling back to the pool. Reaching it needs
    /// that many consecutive lost races inside one chain of continuations; in practice it is never reached.
    /// </summary>
    internal const int MaxInlineDepth = 16;

    private const int Pending = 0;
    private const int Succeeded = 1;
    private const int Faulted = 2;
    private const int Canceled = 3;

    private static readonly Action<object?> CompletedSentinel = static _ => throw new InvalidOperationException("completion sentinel invoked");

    [ThreadStatic]
    private static int t_inlineDepth;

    private Action<object?>? _continuation;
    private object? _continuationState;
    private object? _scheduler;
    private ExecutionContext? _executionContext;
    private T? _result;
    private ExceptionDispatchInfo? _error;
    private volatile int _status;

    protected PendingReply(string? command, TimeSpan timeout)
        : base(command, timeout)
    {
    }

    /// <summary>The caller's view of this slot (single use: await it once).</summary>
    public ValueTask<T> Task => new(this, 0);

    protected void SetResult(T result)
    {
        _result = result;
        _status = Succeeded;
        Signal();
    }

    protected override void SetException(Exception error)
    {
        _error = ExceptionDispatchInfo.Capture(error);
        _status = error is OperationCanceledException ? Canceled : Faulted;
        Signal();
    }

    public ValueTaskSourceStatus GetStatus(short token) => _status switch
    {
        Pending => ValueTaskSourceStatus.Pending,
        Succeeded => ValueTaskSourceStatus.Succeeded,
        Canceled => ValueTaskSourceStatus.Canceled,
        _ => ValueTaskSourceStatus.Faulted,
    };

    public T GetResult(short token)
    {
        switch (_status)
        {
            case Succeeded:
                return _result!;
            case Pending:
                throw new InvalidOperationException("the Redis reply is not complete yet");
            default:
                _error!.Throw();
                return default!;
        }
    }

    /// <summary>
    /// Registers the continuation; if the reply has already arrived (the awaiter lost the race), runs it
    /// now on this thread instead of queueing it to the thread pool.
    /// </summary>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0)
        {
            _executionContext = ExecutionContext.Capture();
        }

        if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0)
        {
            _scheduler = CapturedScheduler();
        }

        _continuationState = state;
        var previous = Interlocked.CompareExchange(ref _continuation, continuation, null);
        if (previous is null)
        {
            return; // registered first: the completing thread runs it
        }

        if (!ReferenceEquals(previous, CompletedSentinel))
        {
            throw new InvalidOperationException("a Redis reply can be awaited only once");
        }

        if (_scheduler is null && t_inlineDepth < MaxInlineDepth)
        {
            t_inlineDepth++;
            try
            {
                Run(continuation, state);
            }
            finally
            {
                t_inlineDepth--;
            }
        }
        else if (_scheduler is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: true);
        }
        else
        {
            Schedule(continuation, state);
        }
    }

    private void Signal()
    {
        var continuation = Volatile.Read(ref _continuation)
            ?? Interlocked.CompareExchange(ref _continuation, CompletedSentinel, null);
        if (continuation is null)
        {
            return; // nobody waits yet: the awaiter will see the status, or run the continuation itself
        }

        if (_scheduler is null)
        {
            Run(continuation, _continuationState);
        }
        else
        {
            Schedule(continuation, _continuationState);
        }
    }

    private void Run(Action<object?> continuation, object? state)
    {
        if (_executionContext is { } context)
        {
            ExecutionContext.Run(context, static s =>
            {
                var (c, st) = ((Action<object?>, object?))s!;
                c(st);
            }, (continuation, state));
        }
        else
        {
            continuation(state);
        }
    }

    private void Schedule(Action<object?> continuation, object? state)
    {
        if (_scheduler is SynchronizationContext context)
        {
            context.Post(static s =>
            {
                var (c, st) = ((Action<object?>, object?))s!;
                c(st);
            }, (continuation, state));
        }
        else
        {
            _ = System.Threading.Tasks.Task.Factory.StartNew(continuation, state, CancellationToken.None,
                TaskCreationOptions.DenyChildAttach, (TaskScheduler)_scheduler!);
        }
    }

    private static object? CapturedScheduler()
    {
        var context = SynchronizationContext.Current;
        if (context is not null && context.GetType() != typeof(SynchronizationContext))
        {
            return context;
        }

        var scheduler = TaskScheduler.Current;
        return scheduler == TaskScheduler.Default ? null : scheduler;
    }
}

/// <summary>One command awaiting one reply.</summary>
internal sealed class SingleReply : PendingReply<RespValue>
{
    private RespValue _reply;

    public SingleReply(string? command, TimeSpan timeout)
        : base(command, timeout)
    {
    }

    public override bool Accept(in RespValue reply)
    {
        _reply = reply;
        return true;
    }

    public override void Complete()
    {
        if (TryClaim())
        {
            SetResult(_reply);
        }
    }
}

/// <summary>A batch of commands written contiguously; completes when the last of its replies arrives.</summary>
internal sealed class BatchReply : PendingReply<RespValue[]>
{
    private readonly RespValue[] _replies;
    private int _received;

    public BatchReply(string? command, int count, TimeSpan timeout)
        : base(command, timeout)
    {
        _replies = new RespValue[count];
    }

    public int Count => _replies.Length;

    public override bool Accept(in RespValue reply)
    {
        _replies[_received++] = reply;
        return _received == _replies.Length;
    }

    public override void Complete()
    {
        if (TryClaim())
        {
            SetResult(_replies);
        }
    }
}
