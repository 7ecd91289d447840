using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Client;

/// <summary>
/// One physical connection: a writer loop that flushes whatever callers have queued (so concurrent
/// commands coalesce into few writes), a reader loop that parses replies and hands each to the head of
/// the FIFO of pending replies, and a close path that fails every pending caller exactly once. Commands
/// are encoded and their FIFO slot appended under one lock, so byte order and FIFO order always agree.
/// </summary>
internal sealed class RespSession
{
    private const int ReadBufferSize = 64 * 1024;
    private const int RetainedWriteBuffer = 1024 * 1024;

    private readonly Stream _stream;
    private readonly IDisposable? _socket;
    private readonly Lock _sync = new();
    private readonly Queue<PendingReply> _pending = new();

    // The slots of one read whose replies have arrived and which the reader is now completing one by one.
    // The sweeper still times them out: a caller whose continuation blocks the reader thread (completions
    // run inline) must not hold the other callers of the same read past their own timeouts.
    private List<PendingReply>? _completing;
    private readonly SemaphoreSlim _flushSignal = new(0);
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RespWriter _out = new();
    private RespWriter _spare = new();
    private bool _flushScheduled;
    private bool _isClosed;

    public RespSession(Stream stream, IDisposable? socket, string endpoint)
    {
        _stream = stream;
        _socket = socket;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    /// <summary>Completes, with the reason, once the connection is closed.</summary>
    public Task<Exception> Closed => _closed.Task;

    public bool IsClosed
    {
        get
        {
            lock (_sync)
            {
                return _isClosed;
            }
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_sync)
            {
                return _pending.Count;
            }
        }
    }

    public void Start()
    {
        // Reader and writer are dedicated threads doing blocking I/O: commands go out, replies come in and
        // callers are completed even when the thread pool is starved (StackExchange.Redis #806, #2214).
        new Thread(ReadLoop) { IsBackground = true, Name = "calc-redis-reader " + Endpoint }.Start();
        new Thread(WriteLoop) { IsBackground = true, Name = "calc-redis-writer " + Endpoint }.Start();
    }

    /// <summary>Encodes one command and queues its reply slot; false when the connection is closed.</summary>
    public bool TryEnqueue(ReadOnlySpan<RedisArg> args, PendingReply reply)
    {
        bool signal;
        lock (_sync)
        {
            if (_isClosed)
            {
                return false;
            }

            _out.WriteCommand(args);
            signal = Queue(reply);
        }

        if (signal)
        {
            _flushSignal.Release();
        }

        return true;
    }

    /// <summary>Queues already-encoded commands (a batch) as one reply slot; false when closed.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> encoded, PendingReply reply)
    {
        bool signal;
        lock (_sync)
        {
            if (_isClosed)
            {
                return false;
            }

            _out.WriteRaw(encoded);
            signal = Queue(reply);
        }

        if (signal)
        {
            _flushSignal.Release();
        }

        return true;
    }

    /// <summary>
    /// Times out callers whose reply is overdue (their slots stay queued), and returns how long the
    /// oldest slot has waited, so the owner can declare a connection that answers nothing dead.
    /// </summary>
    public TimeSpan SweepTimeouts(long now)
    {
        List<PendingReply>? expired = null;
        TimeSpan oldest = TimeSpan.Zero;
        lock (_sync)
        {
            bool first = true;
            foreach (var p in _pending)
            {
                var waited = Stopwatch.GetElapsedTime(p.QueuedAt, now);
                if (first)
                {
                    oldest = waited;
                    first = false;
                }

                if (!p.IsCompleted && p.Timeout >= TimeSpan.Zero && waited >= p.Timeout)
                {
                    (expired ??= []).Add(p);
                }
            }

            if (_completing is { } completing)
            {
                foreach (var p in completing)
                {
                    if (!p.IsCompleted && p.Timeout >= TimeSpan.Zero && Stopwatch.GetElapsedTime(p.QueuedAt, now) >= p.Timeout)
                    {
                        (expired ??= []).Add(p);
                    }
                }
            }
        }

        if (expired is not null)
        {
            foreach (var p in expired)
            {
                p.TimeOut(new RedisTimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"no reply to {p.Command} from Redis {Endpoint} within {p.Timeout.TotalMilliseconds:0} ms")));
            }
        }

        return oldest;
    }

    /// <summary>Closes the connection once and fails every pending caller with a connection error.</summary>
    public void Close(Exception reason)
    {
        PendingReply[] orphans;
        lock (_sync)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
            orphans = [.. _pending];
            _pending.Clear();
        }

        var error = reason as RedisConnectionException
            ?? new RedisConnectionException("connection to Redis " + Endpoint + " lost: " + reason.Message, reason);
        foreach (var p in orphans)
        {
            p.Fail(error);
        }

        try
        {
            _stream.Dispose();
            _socket?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // closing a broken stream may throw again; the connection is gone either way
        }

        _flushSignal.Release();
        _closed.TrySetResult(reason);
    }

    private bool Queue(PendingReply reply)
    {
        reply.MarkQueued(Stopwatch.GetTimestamp());
        _pending.Enqueue(reply);
        if (_flushScheduled)
        {
            return false;
        }

        _flushScheduled = true;
        return true;
    }

    private void WriteLoop()
    {
        try
        {
            while (true)
            {
                _flushSignal.Wait();
                RespWriter batch;
                lock (_sync)
                {
                    if (_isClosed)
                    {
                        return;
                    }

                    batch = _out;
                    _out = _spare;
                    _flushScheduled = false;
                }

                if (batch.Length > 0)
                {
                    _stream.Write(batch.WrittenSpan);
                    _stream.Flush();
                }

                batch.ResetAndTrim(RetainedWriteBuffer);
                lock (_sync)
                {
                    _spare = batch;
                }
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    private void ReadLoop()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        var replies = new List<RespValue>();
        var finished = new List<PendingReply>();
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                int read = _stream.Read(buffer.AsSpan(end));
                if (read == 0)
                {
                    Close(new RedisConnectionException("Redis " + Endpoint + " closed the connection"));
                    return;
                }

                end += read;
                while (start < end && RespParser.TryParse(buffer.AsSpan(start, end - start), out var reply, out int used))
                {
                    start += used;
                    if (reply.Kind != RespKind.Push)
                    {
                        replies.Add(reply); // a RESP3 push is out-of-band: it belongs to no command
                    }
                }

                if (replies.Count > 0)
                {
                    Dispatch(replies, finished);
                    replies.Clear();
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception ex)
        {
            Close(ex is RespProtocolException
                ? new RedisConnectionException("Redis " + Endpoint + " sent invalid RESP; connection dropped: " + ex.Message, ex)
                : ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Matches the replies of one read to the head of the FIFO under one lock, then completes the callers
    /// outside it (a caller's continuation may queue its next command, which takes the lock).
    /// </summary>
    private void Dispatch(List<RespValue> replies, List<PendingReply> finished)
    {
        try
        {
            lock (_sync)
            {
                foreach (var reply in replies)
                {
                    if (!_pending.TryPeek(out var head))
                    {
                        throw new RespProtocolException("a reply arrived with no command pending");
                    }

                    if (head.Accept(reply))
                    {
                        _pending.Dequeue();
                        finished.Add(head);
                    }
                }

                _completing = finished.Count > 1 ? finished : null;
            }
        }
        finally
        {
            foreach (var p in finished)
            {
                p.Complete();
            }

            if (_completing is not null)
            {
                lock (_sync)
                {
                    _completing = null;
                }
            }

            finished.Clear();
        }
    }
}
