using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Calc.Server.Hosting;

/// <summary>
/// The body of an admitted request, watched for the bytes the server holds on its behalf and for time.
/// <para>
/// Why by hand: HTTP/2 flow control does not bound what grpc-dotnet holds. Kestrel grants a stream new window
/// for every byte the application has <em>examined</em>, and grpc-dotnet examines all it has while it waits for
/// the rest of a message, so a stream may fill up to <c>Grpc:MaxReceiveMessageSize</c> (16 MiB) before anything
/// is parsed: 250 streams declaring 16 MiB messages and never finishing them took the process from 86 MB to
/// 4.2 GB (one connection, default configuration). And Kestrel's <c>MinRequestBodyDataRate</c> averages over
/// the whole body, so a message sent fast up to its last byte and then held never times out.
/// </para>
/// <para>
/// gRPC (<see cref="GrpcBodyReader"/>): the bytes examined but not consumed — an unfinished message — are
/// charged to the caller and the process (<see cref="CallerLimits.TryBuffer"/>); when a bound would be passed the
/// next read fails with RESOURCE_EXHAUSTED <c>REQUEST_BUFFER_FULL</c> and the call ends, dropping what it held. An unfinished message
/// older than <c>Limits:MessageReceiveTimeout</c>, or a stream waiting longer than <c>Limits:StreamIdleTimeout</c>
/// for its next message, fails with DEADLINE_EXCEEDED <c>MESSAGE_TIMEOUT</c> / <c>STREAM_IDLE_TIMEOUT</c>
/// (checked once a second by <see cref="RequestBodyWatch"/>). What the streams hold is thus bounded by the buffer
/// bounds plus what the flow-control windows let clients send before a refused call ends (at most one stream
/// window per stream, and one connection window per connection).
/// </para>
/// <para>
/// JSON (<see cref="JsonBodyStream"/>): the JSON layer reads the whole body into memory, so every byte read is
/// charged until the request ends (a body of stated length is charged at admission); over a bound the read
/// fails and the call is answered HTTP 429 (RESOURCE_EXHAUSTED <c>REQUEST_BUFFER_FULL</c>), a body not read whole
/// within <c>Limits:MessageReceiveTimeout</c> of its first byte HTTP 408 (DEADLINE_EXCEEDED <c>MESSAGE_TIMEOUT</c>).
/// </para>
/// </summary>
public static class RequestBodyGuard
{
    /// <summary>Wraps the request body of an admitted request; the guard's <see cref="IBodyGuard.Release"/> ends it.</summary>
    internal static IBodyGuard Install(HttpContext context, CallerLimits limits, CallerLimits.CallerState state, bool grpc, long reserved)
    {
        if (grpc)
        {
            var reader = new GrpcBodyReader(context.Request.BodyReader, limits, state);
            context.Features.Set<IRequestBodyPipeFeature>(reader);
            return reader;
        }

        var stream = new JsonBodyStream(context.Request.Body, context.Request.BodyReader, limits, state, reserved);
        context.Request.Body = stream;
        return stream;
    }

    internal static string Mib(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.##", CultureInfo.InvariantCulture) + " MiB",
    };

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}

/// <summary>A guarded request body.</summary>
internal interface IBodyGuard
{
    /// <summary>Ends the guard; returns the bytes still charged to the caller.</summary>
    long Release();
}

/// <summary>
/// Checks the gRPC bodies that are waiting for data once a second against the message and idle timeouts, and
/// logs the refusal summaries that are due. One timer for the process; a body joins the first time one of its
/// reads has to wait, and leaves when its request ends.
/// </summary>
internal sealed class RequestBodyWatch : IDisposable
{
    private readonly ConcurrentDictionary<GrpcBodyReader, byte> _waiting = new();
    private readonly CallerLimits _limits;
    private readonly Timer _timer;

    public RequestBodyWatch(CallerLimits limits)
    {
        _limits = limits;
        var o = limits.Options;
        Enabled = o.MessageReceiveTimeout > TimeSpan.Zero || o.StreamIdleTimeout > TimeSpan.Zero;
        _timer = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Whether any timeout is on (else bodies are not watched).</summary>
    public bool Enabled { get; }

    public void Add(GrpcBodyReader body) => _waiting.TryAdd(body, 0);

    public void Remove(GrpcBodyReader body) => _waiting.TryRemove(body, out _);

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        long now = Stopwatch.GetTimestamp();
        foreach (var (body, _) in _waiting)
        {
            body.CheckTimeouts(now);
        }

        _limits.FlushSummaries();
    }
}

/// <summary>The request body of a gRPC call (grpc-dotnet reads it through this pipe reader); see <see cref="RequestBodyGuard"/>.</summary>
internal sealed class GrpcBodyReader(PipeReader inner, CallerLimits limits, CallerLimits.CallerState state) : PipeReader, IBodyGuard, IRequestBodyPipeFeature
{
    private ReadOnlySequence<byte> _last;
    private long _held;
    private long _partialSince;
    private long _waitingSince;
    private RpcException? _failure;
    private int _watched;

    PipeReader IRequestBodyPipeFeature.Reader => this;

    public override bool TryRead(out ReadResult result)
    {
        ThrowIfFailed();
        if (!inner.TryRead(out result))
        {
            return false;
        }

        _last = result.Buffer;
        return true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfFailed();
        var pending = inner.ReadAsync(cancellationToken);
        // the result of a ValueTask may be taken once only (a pooled source is reused after): taken here or awaited below
        return pending.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Completed(pending.Result)) : WaitAsync(pending);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var buffer = _last;
        long held = buffer.Slice(consumed, examined).Length;
        long grow = held - _held;
        if (grow > 0 && limits.TryBuffer(state, grow) is { } full)
        {
            // the next read fails and the call ends, which drops what the stream holds; at most one flow-control
            // window more is in flight meanwhile (Kestrel counts examined bytes backwards as negative credit, so
            // they are reported as they are)
            Interlocked.CompareExchange(ref _failure, full, null);
            inner.AdvanceTo(consumed, examined);
            return;
        }

        if (grow < 0)
        {
            limits.Unbuffer(state, -grow);
        }

        _held = held;
        // an unfinished message starts its clock when first held; a message completed (bytes consumed) restarts it
        bool consumedSome = !consumed.Equals(buffer.Start);
        long since = held == 0 ? 0 : consumedSome || _partialSince == 0 ? Stopwatch.GetTimestamp() : _partialSince;
        Volatile.Write(ref _partialSince, since);
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public long Release()
    {
        if (Volatile.Read(ref _watched) == 1)
        {
            limits.Watch.Remove(this);
        }

        return Interlocked.Exchange(ref _held, 0);
    }

    /// <summary>Called by <see cref="RequestBodyWatch"/> while a read waits: ends the call past a timeout.</summary>
    public void CheckTimeouts(long now)
    {
        long waiting = Volatile.Read(ref _waitingSince);
        if (waiting == 0 || Volatile.Read(ref _failure) is not null)
        {
            return;
        }

        var o = limits.Options;
        long partial = Volatile.Read(ref _partialSince);
        RpcException? failure = null;
        if (partial != 0 && o.MessageReceiveTimeout > TimeSpan.Zero && Stopwatch.GetElapsedTime(partial, now) > o.MessageReceiveTimeout)
        {
            failure = limits.Refuse(CallerLimits.MessageTimeout, state.Caller, null,
                $"the request message did not arrive whole within {RequestBodyGuard.Seconds(o.MessageReceiveTimeout)} (Limits:MessageReceiveTimeout; "
                + $"{RequestBodyGuard.Mib(Volatile.Read(ref _held))} of it came); send messages faster or smaller", StatusCode.DeadlineExceeded);
        }
        else if (partial == 0 && o.StreamIdleTimeout > TimeSpan.Zero && Stopwatch.GetElapsedTime(waiting, now) > o.StreamIdleTimeout)
        {
            failure = limits.Refuse(CallerLimits.StreamIdle, state.Caller, null,
                $"no request message came for {RequestBodyGuard.Seconds(o.StreamIdleTimeout)} (Limits:StreamIdleTimeout); the call is ended",
                StatusCode.DeadlineExceeded);
        }

        if (failure is not null && Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            inner.CancelPendingRead();
        }
    }

    private async ValueTask<ReadResult> WaitAsync(ValueTask<ReadResult> pending)
    {
        if (limits.Watch.Enabled && Interlocked.Exchange(ref _watched, 1) == 0)
        {
            limits.Watch.Add(this);
        }

        Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp());
        ReadResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _waitingSince, 0);
        }

        return Completed(result);
    }

    /// <summary>A read's result: the call's end when the watch cancelled it for a timeout, else the data, remembered for AdvanceTo.</summary>
    private ReadResult Completed(ReadResult result)
    {
        if (result.IsCanceled && Volatile.Read(ref _failure) is { } failure)
        {
            inner.AdvanceTo(result.Buffer.Start);
            throw failure;
        }

        _last = result.Buffer;
        return result;
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw failure;
        }
    }
}

/// <summary>The request body of a JSON (or other non-gRPC) request; see <see cref="RequestBodyGuard"/>.</summary>
/// <remarks>
/// Reads come from the body pipe, and the timeout stops a pending one with <see cref="PipeReader.CancelPendingRead"/>
/// and advances past it: a read cancelled through its token, or one Kestrel's request stream gives up on, leaves
/// Kestrel's body reader mid-read, and Kestrel then logs an Error for the request when it drains the body.
/// </remarks>
internal sealed class JsonBodyStream(Stream inner, PipeReader pipe, CallerLimits limits, CallerLimits.CallerState state, long reserved) : Stream, IBodyGuard
{
    private readonly PipeReader _pipe = pipe;
    private long _read;
    private long _charged = reserved;
    private CancellationTokenSource? _deadline;
    private volatile bool _expired;

    /// <summary>The status of the refusal or timeout this body ended with (answered by <see cref="CallerLimitsMiddleware"/>).</summary>
    public RpcException? Failure { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("the request body is read once, front to back");

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException("the request body is read once, front to back");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfExpired();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        // read through the body pipe (as Kestrel's own request stream does) so that a cancelled read is advanced past
        var result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
        var data = result.Buffer;
        if (result.IsCanceled)
        {
            _pipe.AdvanceTo(data.Start);
            ThrowIfExpired();
            throw new OperationCanceledException("The read was canceled.");
        }

        int n = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, n).CopyTo(buffer.Span);
        _pipe.AdvanceTo(data.GetPosition(n));
        Account(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = inner.Read(buffer, offset, count);
        Account(n);
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("the request body is read once, front to back");

    public override void SetLength(long value) => throw new NotSupportedException("the request body is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the request body is read-only");

    public long Release()
    {
        _deadline?.Dispose();
        return Interlocked.Exchange(ref _charged, 0);
    }

    private void ThrowIfExpired()
    {
        if (!_expired)
        {
            return;
        }

        Failure ??= limits.Refuse(CallerLimits.MessageTimeout, state.Caller, null,
            $"the request body did not arrive whole within {RequestBodyGuard.Seconds(limits.Options.MessageReceiveTimeout)} of its first byte "
            + $"(Limits:MessageReceiveTimeout; {RequestBodyGuard.Mib(_read)} came); send it faster or split it", StatusCode.DeadlineExceeded);
        throw new RequestBodyRefusedException(Failure);
    }

    private void Account(int n)
    {
        if (n <= 0)
        {
            return;
        }

        if (_read == 0 && limits.Options.MessageReceiveTimeout > TimeSpan.Zero)
        {
            _deadline = new CancellationTokenSource(limits.Options.MessageReceiveTimeout);
            _deadline.Token.UnsafeRegister(static body =>
            {
                var self = (JsonBodyStream)body!;
                self._expired = true;
                self._pipe.CancelPendingRead();
            }, this);
        }

        _read += n;
        long extra = _read - _charged;
        if (extra > 0)
        {
            if (limits.TryBuffer(state, extra) is { } full)
            {
                Failure = full;
                throw new RequestBodyRefusedException(full);
            }

            _charged += extra;
        }
    }
}

/// <summary>
/// A JSON body read ended by the guard (buffer bound or message timeout). Not a <see cref="BadHttpRequestException"/>,
/// which the JSON layer answers as Kestrel's own limits: this one passes up to <see cref="CallerLimitsMiddleware"/>,
/// which answers it with its status.
/// </summary>
public sealed class RequestBodyRefusedException : IOException
{
    public RequestBodyRefusedException()
    {
    }

    public RequestBodyRefusedException(string message)
        : base(message)
    {
    }

    public RequestBodyRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    internal RequestBodyRefusedException(RpcException failure)
        : base(failure.Status.Detail, failure)
    {
    }
}
