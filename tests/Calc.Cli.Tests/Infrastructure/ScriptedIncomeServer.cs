using System.Threading.Channels;
using Calc.V1;
using Grpc.Core;

namespace Calc.Cli.Tests.Infrastructure;

/// <summary>
/// An in-memory StreamRecognizeIncome that follows the resume contract of calc/v1/income.proto (chunk_index on
/// every results message, resume_from_chunk on the first request, the provenance table re-sent from index 0 by a
/// resumed call, a summary over the whole run) and fails where a test tells it to, as a lost connection does:
/// the call ends with the given RpcException on both sides. Figures are made up but deterministic: a receipt's
/// provenance is its UTC day, interned per stream in order of first use.
/// </summary>
internal sealed class ScriptedIncomeServer
{
    /// <summary>Ends call <c>call</c> (1-based) before it sends its response message number <c>message</c> (1-based); null = no failure.</summary>
    public Func<int, int, RpcException?> Fail { get; init; } = (_, _) => null;

    /// <summary>Answer every chunk in two results messages (the contract allows it; the client must not count on one).</summary>
    public bool SplitChunks { get; init; }

    /// <summary>A server from before resume: no chunk_index, resume_from_chunk ignored.</summary>
    public bool Legacy { get; init; }

    /// <summary>
    /// Call <c>call</c>'s write of its chunk number <c>chunk</c> (1-based) fails as Grpc.Net.Client's does when a
    /// balancer resets the stream before any answer ("The request was aborted", an HttpRequestException), and the
    /// response side stays silent, as it then does.
    /// </summary>
    public Func<int, int, bool> AbortWrite { get; init; } = (_, _) => false;

    /// <summary>Call <c>call</c> goes silent before its response message number <c>message</c>: nothing more, no end (a dead stream on a live connection).</summary>
    public Func<int, int, bool> Stall { get; init; } = (_, _) => false;

    /// <summary>Wait before answering each chunk (a busy server).</summary>
    public TimeSpan AnswerDelay { get; init; }

    /// <summary>The most chunks the client had written whose results it had not yet read, over every call.</summary>
    public int MaxAhead => Volatile.Read(ref _maxAhead);

    private int _maxAhead;

    /// <summary>The first request of every call, and the chunks it received.</summary>
    public List<(RecognizeIncomeStreamRequest First, int Chunks)> Calls { get; } = [];

    public static RpcException Unavailable(string what = "connection reset") =>
        new(new Status(StatusCode.Unavailable, what, new IOException(what)));

    public AsyncDuplexStreamingCall<RecognizeIncomeStreamRequest, RecognizeIncomeStreamResponse> Open(CallOptions options)
    {
        int number;
        lock (Calls)
        {
            Calls.Add((new RecognizeIncomeStreamRequest(), 0));
            number = Calls.Count;
        }

        var requests = Channel.CreateUnbounded<RecognizeIncomeStreamRequest>();
        var responses = Channel.CreateUnbounded<RecognizeIncomeStreamResponse>();
        var call = new Call(requests, responses, ahead => InterlockedMax(ref _maxAhead, ahead), chunk => AbortWrite(number, chunk));
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        _ = Task.Run(() => ServeAsync(number, call, cancel.Token));
        return new AsyncDuplexStreamingCall<RecognizeIncomeStreamRequest, RecognizeIncomeStreamResponse>(
            call, call, Task.FromResult(new Metadata()), () => call.Status, () => [], () =>
            {
                cancel.Cancel();
                call.End(new RpcException(new Status(StatusCode.Cancelled, "disposed")));
                cancel.Dispose();
            });
    }

    private async Task ServeAsync(int number, Call call, CancellationToken ct)
    {
        int sent = 0;
        bool Send(RecognizeIncomeStreamResponse response)
        {
            if (Stall(number, sent + 1))
            {
                return false; // silent from here on; the call ends when the client gives up (dispose cancels)
            }

            if (Fail(number, sent + 1) is { } failure)
            {
                call.End(failure);
                return false;
            }

            sent++;
            return call.Responses.Writer.TryWrite(response);
        }

        try
        {
            var reader = call.Requests.Reader;
            var first = await reader.ReadAsync(ct);
            lock (Calls)
            {
                Calls[number - 1] = (first, 0);
            }

            long resume = Legacy ? 0 : first.ResumeFromChunk;
            var provenances = new List<string>();
            int skippedProvenances = 0;
            long count = 0, errors = 0, index = -1;
            await foreach (var request in reader.ReadAllAsync(ct))
            {
                index++;
                lock (Calls)
                {
                    Calls[number - 1] = (first, Calls[number - 1].Chunks + 1);
                }

                var chunk = new IncomeResultChunk { ChunkIndex = Legacy ? 0 : index };
                foreach (var receipt in request.Receipts.Receipts)
                {
                    count++;
                    if (receipt.Asset == "XYZ")
                    {
                        errors++;
                        chunk.Results.Add(new IncomeResult { ReceiptId = receipt.Id, Error = new ItemError { Code = "INVALID_ARGUMENT", Reason = "UNKNOWN_ASSET", Message = "no such asset", Field = "asset" } });
                        continue;
                    }

                    string day = receipt.ReceivedAt.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    int p = provenances.IndexOf(day);
                    if (p < 0)
                    {
                        p = provenances.Count;
                        provenances.Add(day);
                    }

                    chunk.Results.Add(new IncomeResult
                    {
                        ReceiptId = receipt.Id,
                        Income = new RecognizedIncome { IncomeDate = day, Asset = receipt.Asset, Amount = receipt.Amount, IncomeRub = "200.00", ProvenanceIndex = p },
                    });
                }

                if (index < resume)
                {
                    continue;
                }

                if (AnswerDelay > TimeSpan.Zero)
                {
                    await Task.Delay(AnswerDelay, ct);
                }

                // the records first used by this chunk, and on a resumed call's first answer all earlier ones
                for (int p = skippedProvenances; p < provenances.Count; p++)
                {
                    chunk.Provenances.Add(Provenance(provenances[p]));
                }

                skippedProvenances = provenances.Count;
                if (SplitChunks && chunk.Results.Count > 1)
                {
                    var head = new IncomeResultChunk { ChunkIndex = chunk.ChunkIndex, Provenances = { chunk.Provenances } };
                    head.Results.AddRange(chunk.Results.Take(chunk.Results.Count / 2));
                    var rest = new IncomeResultChunk { ChunkIndex = chunk.ChunkIndex };
                    rest.Results.AddRange(chunk.Results.Skip(chunk.Results.Count / 2));
                    if (!Send(new() { Results = head }) || !Send(new() { Results = rest }))
                    {
                        return;
                    }
                }
                else if (!Send(new() { Results = chunk }))
                {
                    return;
                }
            }

            var summary = new IncomeStreamSummary { ReceiptCount = count, ErrorCount = errors, RulesVersion = "scripted" };
            summary.Totals.Add(new MonthlyTotal { Year = 2025, Month = 3, Asset = "BTC", Amount = "1", IncomeRub = (200 * (count - errors)).ToString(System.Globalization.CultureInfo.InvariantCulture), ReceiptCount = (int)(count - errors) });
            if (Send(new() { Summary = summary }))
            {
                if (Fail(number, sent + 1) is { } afterSummary)
                {
                    call.End(afterSummary); // everything arrived, the status did not
                    return;
                }

                call.End(null);
            }
        }
        catch (OperationCanceledException)
        {
            call.End(new RpcException(new Status(StatusCode.Cancelled, "cancelled")));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public static Provenance Provenance(string day) => new() { Venue = "scripted", Pair = "X/USD", Close = "2", CloseDate = day, CbrRate = "100.0000", CbrNominal = 1 };

    /// <summary>Both ends of one call.</summary>
    private sealed class Call(Channel<RecognizeIncomeStreamRequest> requests, Channel<RecognizeIncomeStreamResponse> responses, Action<int> ahead,
        Func<int, bool> abortWrite)
        : IClientStreamWriter<RecognizeIncomeStreamRequest>, IAsyncStreamReader<RecognizeIncomeStreamResponse>
    {
        private RpcException? _failure;
        private bool _aborted;
        private int _written;
        private int _read;

        public Channel<RecognizeIncomeStreamRequest> Requests { get; } = requests;

        public Channel<RecognizeIncomeStreamResponse> Responses { get; } = responses;

        public Status Status => _failure?.Status ?? Status.DefaultSuccess;

        public WriteOptions? WriteOptions { get; set; }

        public RecognizeIncomeStreamResponse Current { get; private set; } = null!;

        public void End(RpcException? failure)
        {
            _failure ??= failure;
            Requests.Writer.TryComplete();
            Responses.Writer.TryComplete(failure);
        }

        public Task WriteAsync(RecognizeIncomeStreamRequest message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(RecognizeIncomeStreamRequest message, CancellationToken cancellationToken)
        {
            if (_failure is { } failure)
            {
                throw failure;
            }

            if (_aborted || (message.Receipts is not null && abortWrite(_written + 1)))
            {
                _aborted = true; // the stream is gone; the server side hears nothing more, the response side nothing at all
                throw new HttpRequestException("The request was aborted.", new IOException("The request was aborted."));
            }

            // a real request message is serialised at the write: later changes to the object do not travel
            Requests.Writer.TryWrite(message.Clone());
            if (message.Receipts is not null)
            {
                ahead(Interlocked.Increment(ref _written) - Volatile.Read(ref _read));
            }

            return Task.CompletedTask;
        }

        public Task CompleteAsync()
        {
            Requests.Writer.TryComplete();
            return Task.CompletedTask;
        }

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await Responses.Reader.WaitToReadAsync(cancellationToken))
            {
                return false;
            }

            Current = await Responses.Reader.ReadAsync(cancellationToken);
            if (Current.Results is not null)
            {
                Interlocked.Increment(ref _read);
            }

            return true;
        }
    }
}
