using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Calc.V1;
using Grpc.Core;

namespace Calc.Cli.Hosting;

/// <summary>
/// Produces again the chunks sent earlier in a run, for a resumed stream: as many chunks as
/// <paramref name="sizes"/> has, with those receipt counts, the same receipts in the same order as the first time.
/// </summary>
internal delegate IAsyncEnumerable<ReceiptChunk> ChunkReplay(IReadOnlyList<int> sizes, CancellationToken cancellationToken);

/// <summary>How a lost month-end stream is resumed.</summary>
/// <param name="MaxAttempts">
/// Calls in a row that may fail without delivering a new result before the run gives up (1 = never resume). A
/// call that delivered results resets the count: a long run survives several replicas going away one by one.
/// </param>
/// <param name="InitialBackoff">Wait before the first resumed call; doubled for each further one, up to <paramref name="MaxBackoff"/>, ±20 % jitter.</param>
internal sealed record StreamResumePolicy(int MaxAttempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    public static StreamResumePolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));

    /// <summary>
    /// A call that neither answers nor accepts anything for this long while chunks wait for their results is ended
    /// and resumed like a lost one: a connection can stay up (pings answered) while the stream on it is dead,
    /// e.g. a balancer that forwarded it to a replica that died (the server answers a chunk in milliseconds).
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait before resumed call number <paramref name="failures"/> (1-based) of a row of failures.</summary>
    public TimeSpan Backoff(int failures, double jitter)
    {
        double ms = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, failures - 1));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxBackoff.TotalMilliseconds) * (0.8 + (0.4 * jitter)));
    }
}

/// <summary>
/// How far the request side of a stream may run ahead of the answers. A duplex stream through an HTTP/2 proxy
/// deadlocks if the server, blocked writing the results of one chunk, cannot take the next chunks into its stream
/// receive window: the proxy (HAProxy 2.6 among them) stops reading the client's connection when a stream's buffer
/// is full, so it no longer sees the client's WINDOW_UPDATE frames that the results need. Kestrel acknowledges
/// consumed request bytes in steps of half its window, so up to half of it may be used by bytes already read:
/// what the client sends beyond the chunk being answered must fit in the other half. Calc's window is 1 MiB
/// (Grpc:InitialStreamWindowSize): 448 KiB leaves a margin for the proxy's own buffers.
/// </summary>
internal static class StreamFlow
{
    /// <summary>Bytes of chunks sent beyond the oldest unanswered one (a chunk alone is always sent).</summary>
    public const int DefaultMaxUnansweredBytes = 448 * 1024;
}

/// <summary>A lost stream about to be resumed: what broke, from which chunk the next call answers, after what wait.</summary>
internal sealed record StreamResume(int Attempt, int MaxAttempts, long FromChunk, RpcException Cause, TimeSpan Delay);

/// <summary>
/// StreamRecognizeIncome that survives losing its server (a replica killed, a connection reset, a balancer
/// dropping the stream). The caller sees one uninterrupted stream: every result exactly once, in order, the
/// stream-wide provenance table without repeats, one summary.
/// <para>
/// How (the protocol is in calc/v1/income.proto): the receipt counts of the chunks sent are recorded (with a
/// fingerprint of each). When a call fails with UNAVAILABLE or a transport failure (connection reset, stream
/// reset, response ended early), a new call is opened after a backoff — on a channel with several addresses
/// the balancer picks a live one — and the run is sent again from the start: the policy with
/// <c>resume_from_chunk</c> = the first chunk whose results were not all delivered, the chunks already sent
/// (produced again by the <see cref="ChunkReplay"/> and checked against their fingerprints), then the rest of
/// the run. The server values the whole run again (results are deterministic) and answers from that chunk
/// on; results and provenance records already delivered are dropped here. The summary covers the whole run.
/// </para>
/// Memory stays bounded: nothing is kept per receipt, only a receipt count, a size and a fingerprint per chunk.
/// The request side runs at most <see cref="StreamFlow.DefaultMaxUnansweredBytes"/> (or the given budget) beyond the
/// chunk being answered (see <see cref="StreamFlow"/>).
/// </summary>
internal sealed class ResumableIncomeStream
{
    private readonly Func<CallOptions, AsyncDuplexStreamingCall<RecognizeIncomeStreamRequest, RecognizeIncomeStreamResponse>> _open;
    private readonly ChunkReplay _replay;
    private readonly CallOptions _options;
    private readonly StreamResumePolicy _policy;
    private readonly Action<StreamResume>? _onResume;

    // chunks sent so far (by any call): receipt counts and fingerprints; written by the sender, read by the reader
    private readonly List<int> _sizes = [];
    private readonly List<int> _prints = [];
    private readonly List<int> _bytes = [];
    private readonly Lock _sent = new();
    private readonly int _maxUnansweredBytes;

    // the first chunk whose results have not all arrived (Progress.NextChunk), for the sender; and its wake-up
    private long _answeredUpTo;
    private readonly SemaphoreSlim _answered = new(0);

    public ResumableIncomeStream(Func<CallOptions, AsyncDuplexStreamingCall<RecognizeIncomeStreamRequest, RecognizeIncomeStreamResponse>> open,
        ChunkReplay replay, CallOptions options, StreamResumePolicy policy, Action<StreamResume>? onResume = null,
        int maxUnansweredBytes = StreamFlow.DefaultMaxUnansweredBytes)
    {
        _open = open;
        _replay = replay;
        _options = options;
        _policy = policy;
        _onResume = onResume;
        _maxUnansweredBytes = maxUnansweredBytes;
    }

    /// <summary>Calls the server through <see cref="IncomeService.IncomeServiceClient"/> with the given policy.</summary>
    public static IAsyncEnumerable<RecognizeIncomeStreamResponse> Call(IncomeService.IncomeServiceClient client,
        IAsyncEnumerable<RecognizeIncomeStreamRequest> requests, ChunkReplay replay, CallOptions options, StreamResumePolicy policy,
        Action<StreamResume>? onResume, CancellationToken cancellationToken) =>
        new ResumableIncomeStream(o => client.StreamRecognizeIncome(o), replay, options, policy, onResume).RunAsync(requests, cancellationToken);

    /// <summary>Calls made so far (1 when nothing failed).</summary>
    public int Calls { get; private set; }

    /// <summary>
    /// Sends <paramref name="requests"/> (the policy, then chunks of receipts; read once, as produced) and yields
    /// the responses of one uninterrupted stream. When producing the requests fails, that failure is what the
    /// caller sees; a call failure that is not resumed (or too many in a row) ends the sequence with its RpcException.
    /// </summary>
    public async IAsyncEnumerable<RecognizeIncomeStreamResponse> RunAsync(IAsyncEnumerable<RecognizeIncomeStreamRequest> requests,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _options.CancellationToken);
        await using var source = requests.GetAsyncEnumerator(run.Token);
        if (!await source.MoveNextAsync())
        {
            throw new ArgumentException("the request sequence is empty; it must start with the policy", nameof(requests));
        }

        var policy = source.Current.Policy ?? throw new ArgumentException("the first request must carry the policy", nameof(requests));
        // a pump moves the chunks into a channel: a call that fails leaves no chunk half-taken from the source
        var chunks = Channel.CreateBounded<ReceiptChunk>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var pumping = PumpAsync(source, chunks.Writer, run.Token);
        var state = new Progress();
        int failuresInARow = 0;
        try
        {
            while (true)
            {
                Calls++;
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(run.Token);
                using var call = _open(_options.WithCancellationToken(attempt.Token));
                var sender = new Sender(this, call.RequestStream, chunks.Reader, attempt, () => state.Indexed);
                var sending = sender.SendAsync(new RecognizeIncomeStreamRequest { Policy = policy, ResumeFromChunk = state.NextChunk }, SentCount());
                var reading = new CallReading(Calls);
                var watching = WatchAsync(sender, reading, state, attempt);
                Exception? failure = null;
                while (true)
                {
                    RecognizeIncomeStreamResponse message;
                    // only time spent waiting here counts towards a stall (a caller slow to ask for the next result is not one)
                    Volatile.Write(ref reading.LastProgress, Stopwatch.GetTimestamp());
                    reading.Waiting = true;
                    try
                    {
                        if (!await call.ResponseStream.MoveNext(attempt.Token))
                        {
                            break;
                        }

                        message = call.ResponseStream.Current;
                    }
                    catch (Exception e) when (!run.IsCancellationRequested || sender.Failure is not null)
                    {
                        failure = e;
                        break;
                    }
                    finally
                    {
                        reading.Waiting = false;
                    }

                    if (Accept(message, state, reading) is { } delivered)
                    {
                        reading.Delivered = true;
                        yield return delivered;
                    }
                }

                reading.Ended = true;
                await watching;
                if (failure is null)
                {
                    await sending;
                    if (sender.Failure is { } late)
                    {
                        throw late;
                    }

                    yield break; // the server ended the call with OK
                }

                await attempt.CancelAsync();
                await sending;
                if (sender.Failure is { } producing)
                {
                    throw producing; // the requests could not be produced (unreadable input, a replay that differs)
                }

                if (state.Summary)
                {
                    yield break; // everything, summary included, arrived; only the call's OK status was lost
                }

                failuresInARow = reading.Delivered ? 1 : failuresInARow + 1;
                // a transport failure may surface unwrapped, on the request side (Grpc.Net.Client reports an HTTP/2
                // stream reset before the response headers as "The request was aborted"): UNAVAILABLE for what follows
                var cause = reading.Stalled ?? sender.TransportFailure ?? failure;
                var rpc = cause as RpcException
                    ?? (cause is IOException or HttpRequestException or OperationCanceledException
                        ? new RpcException(new Status(StatusCode.Unavailable, cause.Message, cause)) : null);
                if (rpc is null || !IsTransient(rpc) || !state.Indexed || failuresInARow >= _policy.MaxAttempts)
                {
                    if (rpc is not null && cause != failure)
                    {
                        throw rpc;
                    }

                    throw failure;
                }

                var delay = _policy.Backoff(failuresInARow, Random.Shared.NextDouble());
                _onResume?.Invoke(new StreamResume(Calls + 1, _policy.MaxAttempts, state.NextChunk, rpc, delay));
                await Task.Delay(delay, run.Token);
            }
        }
        finally
        {
            await run.CancelAsync();
            await Settle(pumping);
        }
    }

    /// <summary>
    /// UNAVAILABLE (no connection, the server going away, a balancer without a live replica); CANCELLED that this
    /// client did not ask for (its own cancellation never gets here): the call was cut between client and server,
    /// e.g. a balancer ending the stream without trailers when its replica died (Grpc.Net.Client: "No grpc-status
    /// found on response"), or an HTTP/2 stream reset; or a call that broke below gRPC, reported as INTERNAL or
    /// UNKNOWN with the transport exception inside. A status the server chose (INVALID_ARGUMENT, INTERNAL from the
    /// server, DEADLINE_EXCEEDED) is not transient.
    /// </summary>
    public static bool IsTransient(RpcException e)
    {
        if (e.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled)
        {
            return true;
        }

        if (e.StatusCode is not (StatusCode.Internal or StatusCode.Unknown))
        {
            return false;
        }

        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException or HttpRequestException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Delivery state across calls.</summary>
    private sealed class Progress
    {
        /// <summary>The first chunk whose results were not all delivered.</summary>
        public long NextChunk;

        /// <summary>Results of <see cref="NextChunk"/> already delivered.</summary>
        public int DeliveredInNext;

        /// <summary>Provenance records delivered (the stream-wide table's length).</summary>
        public long DeliveredProvenances;

        public bool Summary;

        /// <summary>False when the server does not number its results (no chunk_index: a server before resume existed).</summary>
        public bool Indexed = true;
    }

    /// <summary>What one call has sent back so far.</summary>
    private sealed class CallReading(int call)
    {
        public int Call { get; } = call;

        /// <summary>When the caller last asked for a message (the wait for it started).</summary>
        public long LastProgress = Stopwatch.GetTimestamp();

        /// <summary>The caller is waiting for the next message.</summary>
        public volatile bool Waiting;

        /// <summary>Set by the watchdog when it ended the call for want of progress.</summary>
        public RpcException? Stalled;

        public volatile bool Ended;

        public int ReceivedInChunk;

        public long Provenances;

        public int Messages;

        public bool Delivered;
    }

    /// <summary>
    /// Ends the call when results are awaited (a chunk sent and not answered, or the request side complete and no
    /// summary yet), the caller is waiting for the next message, and nothing has moved for
    /// <see cref="StreamResumePolicy.StallTimeout"/>: no message received, no chunk written.
    /// </summary>
    private async Task WatchAsync(Sender sender, CallReading reading, Progress state, CancellationTokenSource attempt)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_policy.StallTimeout.TotalMilliseconds / 4, 10, 1000));
        try
        {
            while (!reading.Ended && !attempt.IsCancellationRequested)
            {
                await Task.Delay(period, attempt.Token);
                long last = Math.Max(Volatile.Read(ref reading.LastProgress), Volatile.Read(ref sender.LastWrite));
                bool awaited = SentCount() > Volatile.Read(ref _answeredUpTo) || (sender.Completed && !state.Summary);
                if (awaited && reading.Waiting && Stopwatch.GetElapsedTime(last) > _policy.StallTimeout && !reading.Ended)
                {
                    reading.Stalled = new RpcException(new Status(StatusCode.Unavailable,
                        $"no answer and no progress for {_policy.StallTimeout.TotalSeconds:F0} s while results were awaited; the stream is taken as lost"));
                    await attempt.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the call ended
        }
    }

    /// <summary>The part of <paramref name="message"/> not delivered before, or null when it was all delivered.</summary>
    private RecognizeIncomeStreamResponse? Accept(RecognizeIncomeStreamResponse message, Progress state, CallReading reading)
    {
        reading.Messages++;
        if (message.Summary is not null)
        {
            state.Summary = true;
            return message;
        }

        if (message.Results is not { } results)
        {
            return message;
        }

        if (!state.Indexed)
        {
            return message;
        }

        if (results.ChunkIndex != state.NextChunk)
        {
            // a server without chunk_index numbers every message 0: it cannot resume, but the stream itself is fine
            if (results.ChunkIndex == 0 && reading.Call == 1 && reading.ReceivedInChunk == 0 && state.DeliveredInNext == 0)
            {
                state.Indexed = false;
                _answered.Release(); // a sender waiting for room stops waiting: there is no matching of answers any more
                return message;
            }

            throw new InvalidDataException($"the server answered chunk {results.ChunkIndex} where chunk {state.NextChunk} was expected");
        }

        int size = SizeOf(state.NextChunk)
            ?? throw new InvalidDataException($"the server answered chunk {results.ChunkIndex}, which was not sent");
        int count = results.Results.Count;
        // this message holds results [ReceivedInChunk, ReceivedInChunk + count) of the chunk
        int skip = Math.Clamp(state.DeliveredInNext - reading.ReceivedInChunk, 0, count);
        reading.ReceivedInChunk += count;
        if (reading.ReceivedInChunk > size)
        {
            throw new InvalidDataException($"the server sent {reading.ReceivedInChunk} results for chunk {results.ChunkIndex} of {size} receipts");
        }

        state.DeliveredInNext = Math.Max(state.DeliveredInNext, reading.ReceivedInChunk);
        if (reading.ReceivedInChunk == size)
        {
            state.NextChunk++;
            state.DeliveredInNext = 0;
            reading.ReceivedInChunk = 0;
            Volatile.Write(ref _answeredUpTo, state.NextChunk);
            _answered.Release(); // the sender may be waiting for room
        }

        // a resumed call sends the provenance table from index 0 again: records [Provenances, Provenances + n) of this call
        int provenanceCount = results.Provenances.Count;
        int provenanceSkip = (int)Math.Clamp(state.DeliveredProvenances - reading.Provenances, 0, provenanceCount);
        reading.Provenances += provenanceCount;
        state.DeliveredProvenances = Math.Max(state.DeliveredProvenances, reading.Provenances);
        if (skip == 0 && provenanceSkip == 0)
        {
            return message;
        }

        if (skip == count && provenanceSkip == provenanceCount)
        {
            return null;
        }

        var trimmed = new IncomeResultChunk { ChunkIndex = results.ChunkIndex };
        trimmed.Results.AddRange(results.Results.Skip(skip));
        trimmed.Provenances.AddRange(results.Provenances.Skip(provenanceSkip));
        return new RecognizeIncomeStreamResponse { Results = trimmed };
    }

    private int? SizeOf(long chunk)
    {
        lock (_sent)
        {
            return chunk < _sizes.Count ? _sizes[(int)chunk] : null;
        }
    }

    private int SentCount()
    {
        lock (_sent)
        {
            return _sizes.Count;
        }
    }

    /// <summary>Records a chunk about to be sent; its index.</summary>
    private int Record(ReceiptChunk chunk)
    {
        int print = Fingerprint(chunk);
        int bytes = chunk.CalculateSize();
        lock (_sent)
        {
            _sizes.Add(chunk.Receipts.Count);
            _prints.Add(print);
            _bytes.Add(bytes);
            return _sizes.Count - 1;
        }
    }

    /// <summary>
    /// Waits until chunk <paramref name="index"/> may be sent: every earlier chunk answered, or the chunks sent after
    /// the oldest unanswered one, this one included, within the budget (the oldest is the one the server may be
    /// answering, already read). A server without chunk_index is not throttled (its answers cannot be matched to chunks).
    /// </summary>
    private async Task WaitForRoomAsync(int index, Func<bool> indexed, CancellationToken ct)
    {
        while (indexed())
        {
            long answered = Volatile.Read(ref _answeredUpTo);
            if (answered >= index)
            {
                return;
            }

            long unanswered = 0;
            lock (_sent)
            {
                for (long i = answered + 1; i <= index; i++)
                {
                    unanswered += _bytes[(int)i];
                }
            }

            if (unanswered <= _maxUnansweredBytes)
            {
                return;
            }

            await _answered.WaitAsync(ct);
        }
    }

    private (int[] Sizes, int[] Prints) SentBefore(int count)
    {
        lock (_sent)
        {
            return (_sizes.GetRange(0, count).ToArray(), _prints.GetRange(0, count).ToArray());
        }
    }

    /// <summary>A fingerprint of a chunk's receipts (ids, amounts, instants): a replay that differs is refused.</summary>
    private static int Fingerprint(ReceiptChunk chunk)
    {
        var hash = new HashCode();
        foreach (var receipt in chunk.Receipts)
        {
            hash.Add(receipt.Id);
            hash.Add(receipt.Amount);
            hash.Add(receipt.ReceivedAt?.Seconds ?? long.MinValue);
        }

        return hash.ToHashCode();
    }

    private static async Task PumpAsync(IAsyncEnumerator<RecognizeIncomeStreamRequest> source, ChannelWriter<ReceiptChunk> chunks, CancellationToken cancellationToken)
    {
        try
        {
            while (await source.MoveNextAsync())
            {
                var chunk = source.Current.Receipts ?? throw new ArgumentException("only the first request may carry the policy");
                await chunks.WriteAsync(chunk, cancellationToken);
            }

            chunks.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            chunks.TryComplete();
        }
        catch (Exception e)
        {
            chunks.TryComplete(e); // the sender of the current call reports it
        }
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The request side of one call: the policy, the chunks sent before (replayed), then new chunks.</summary>
    private sealed class Sender(ResumableIncomeStream owner, IClientStreamWriter<RecognizeIncomeStreamRequest> writer,
        ChannelReader<ReceiptChunk> chunks, CancellationTokenSource attempt, Func<bool> indexed)
    {
        /// <summary>Producing the requests failed: the call was cancelled and this is the run's error.</summary>
        public Exception? Failure { get; private set; }

        /// <summary>When a chunk was last written (for the stall watchdog).</summary>
        public long LastWrite = Stopwatch.GetTimestamp();

        /// <summary>The request side was completed: every chunk sent.</summary>
        public volatile bool Completed;

        public async Task SendAsync(RecognizeIncomeStreamRequest first, int replayCount)
        {
            var ct = attempt.Token;
            try
            {
                if (!await WriteAsync(() => writer.WriteAsync(first, ct)))
                {
                    return;
                }

                if (replayCount > 0 && !await ReplayAsync(replayCount, ct))
                {
                    return;
                }

                while (await chunks.WaitToReadAsync(ct))
                {
                    while (chunks.TryRead(out var chunk))
                    {
                        if (chunk.Receipts.Count == 0)
                        {
                            continue; // answered by nothing; not numbered here either
                        }

                        int index = owner.Record(chunk); // before the write: a chunk whose write fails is sent again by the next call
                        await owner.WaitForRoomAsync(index, indexed, ct);
                        if (!await WriteAsync(() => writer.WriteAsync(new RecognizeIncomeStreamRequest { Receipts = chunk }, ct)))
                        {
                            return;
                        }

                        Volatile.Write(ref LastWrite, Stopwatch.GetTimestamp());
                    }
                }

                if (await WriteAsync(writer.CompleteAsync))
                {
                    Volatile.Write(ref LastWrite, Stopwatch.GetTimestamp());
                    Completed = true;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // the call ended (or the run was cancelled): its response side reports how
            }
            catch (Exception e)
            {
                // the requests could not be produced (the source failed, the replay differs): end the call
                Failure = e;
                await attempt.CancelAsync();
            }
        }

        private async Task<bool> ReplayAsync(int count, CancellationToken ct)
        {
            var (sizes, prints) = owner.SentBefore(count);
            int i = 0;
            await foreach (var chunk in owner._replay(sizes, ct).WithCancellation(ct))
            {
                if (i >= count || chunk.Receipts.Count != sizes[i] || Fingerprint(chunk) != prints[i])
                {
                    throw new InvalidDataException(
                        $"chunk {i} produced again for the resumed stream differs from the chunk sent before (did the input change during the run?); the run cannot be resumed");
                }

                if (!await WriteAsync(() => writer.WriteAsync(new RecognizeIncomeStreamRequest { Receipts = chunk }, ct)))
                {
                    return false;
                }

                Volatile.Write(ref LastWrite, Stopwatch.GetTimestamp());
                i++;
            }

            return i == count ? true
                : throw new InvalidDataException($"only {i} of the {count} chunks sent before could be produced again (did the input change during the run?); the run cannot be resumed");
        }

        /// <summary>The HTTP/2 stream or connection broke under a write; the call was cancelled (its response side may never hear of it).</summary>
        public Exception? TransportFailure { get; private set; }

        /// <summary>False when the call has ended: its response side reports how, or <see cref="TransportFailure"/> says.</summary>
        private async Task<bool> WriteAsync(Func<Task> write)
        {
            try
            {
                await write();
                return true;
            }
            catch (RpcException)
            {
                return false; // the call ended with a status, which the response side reports
            }
            catch (InvalidOperationException)
            {
                return false; // grpc-dotnet: "the call is complete" (the server answered before reading every request)
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !attempt.IsCancellationRequested)
            {
                // e.g. "The request was aborted" when a balancer resets the stream because its replica died before
                // answering: the response side may wait forever, so end the call here
                TransportFailure = e;
                await attempt.CancelAsync();
                return false;
            }
        }
    }
}
