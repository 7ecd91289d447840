using System.Diagnostics;
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

/// <summary>One command awaiting one reply.</summary>
internal sealed class SingleReply : PendingReply, IValueTaskSource<RespValue>
{
    private ManualResetValueTaskSourceCore<RespValue> _core = new() { RunContinuationsAsynchronously = false };

    public SingleReply(string? command, TimeSpan timeout)
        : base(command, timeout)
    {
    }

    private RespValue _reply;

    public ValueTask<RespValue> Task => new(this, _core.Version);

    public override bool Accept(in RespValue reply)
    {
        _reply = reply;
        return true;
    }

    public override void Complete()
    {
        if (TryClaim())
        {
            _core.SetResult(_reply);
        }
    }

    protected override void SetException(Exception error) => _core.SetException(error);

    RespValue IValueTaskSource<RespValue>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<RespValue>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<RespValue>.OnCompleted(
        Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>A batch of commands written contiguously; completes when the last of its replies arrives.</summary>
internal sealed class BatchReply : PendingReply, IValueTaskSource<RespValue[]>
{
    private readonly RespValue[] _replies;
    private ManualResetValueTaskSourceCore<RespValue[]> _core = new() { RunContinuationsAsynchronously = false };
    private int _received;

    public BatchReply(string? command, int count, TimeSpan timeout)
        : base(command, timeout)
    {
        _replies = new RespValue[count];
    }

    public int Count => _replies.Length;

    public ValueTask<RespValue[]> Task => new(this, _core.Version);

    public override bool Accept(in RespValue reply)
    {
        _replies[_received++] = reply;
        return _received == _replies.Length;
    }

    public override void Complete()
    {
        if (TryClaim())
        {
            _core.SetResult(_replies);
        }
    }

    protected override void SetException(Exception error) => _core.SetException(error);

    RespValue[] IValueTaskSource<RespValue[]>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<RespValue[]>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<RespValue[]>.OnCompleted(
        Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
