using System.Threading.Channels;
using Calc.Cli.Csv;
using Calc.V1;

namespace Calc.Cli.Income;

/// <summary>The StreamRecognizeIncome call, as the run sees it (the client's method, or a test double).</summary>
internal delegate IAsyncEnumerable<RecognizeIncomeStreamResponse> IncomeStreamCall(
    IAsyncEnumerable<RecognizeIncomeStreamRequest> requests, CancellationToken cancellationToken);

/// <summary>Receives the number of rows written and the bytes of the input they account for.</summary>
internal interface IRunProgress
{
    void Advance(long rowsWritten, long bytesRead);
}

/// <summary>Buffer sizes of a run; each bounds the memory the run can hold.</summary>
/// <param name="ChunkSize">Receipts per ReceiptChunk message (the API allows up to 10,000).</param>
/// <param name="RowBuffer">Parsed rows waiting to be sent.</param>
/// <param name="PendingLimit">Rows sent (or failed locally) whose output row is not yet written.</param>
internal sealed record IncomeRunLimits(int ChunkSize = 5_000, int RowBuffer = 10_000, int PendingLimit = 20_000);

/// <summary>What a run did.</summary>
internal sealed class IncomeRunResult
{
    public long RowsWritten { get; set; }

    public long Recognized { get; set; }

    public long Failed { get; set; }

    /// <summary>Rows that failed with PRICE_NOT_FOUND (all of them failing so points at missing market data).</summary>
    public long PriceNotFound { get; set; }

    public IncomeStreamSummary? Summary { get; set; }

    /// <summary>How many times the stream was lost and resumed.</summary>
    public int Resumes { get; set; }

    /// <summary>"interrupted" (Ctrl-C) or "aborted" (the call failed); null when the run finished.</summary>
    public string? StoppedAs { get; set; }

    public string? StopMessage { get; set; }

    public Exception? StopException { get; set; }

    /// <summary>The first few failed rows, for the summary on the console.</summary>
    public List<(long Line, string Id, string Reason, string Message)> FirstErrors { get; } = [];
}

/// <summary>
/// A month-end run: the file is read row by row into a bounded channel, sent as the policy followed by
/// chunks of receipts, and every result is written to the output as it arrives, in file order. Rows that
/// cannot be read are written as errors in place. Memory stays bounded by <see cref="IncomeRunLimits"/>
/// whatever the file size.
/// </summary>
internal sealed class IncomeRun(CsvFile file, ReceiptParser parser, IncomeCsvWriter writer, IRunProgress progress, IncomeRunLimits limits)
{
    private const int ErrorsShown = 10;

    /// <summary>The line of the header row: a run stopped before any row names the next line as not processed.</summary>
    public long HeaderLine { get; init; } = 1;

    /// <summary>
    /// Opens the input again, positioned after its header, for <see cref="ReplayAsync"/> (a resumed stream sends
    /// the run again from its start). Null: the run cannot be replayed.
    /// </summary>
    public Func<CsvFile>? Reopen { get; init; }

    /// <summary>
    /// The chunks sent so far, produced again from the input: the file is read from its start with the same
    /// parser, and the rows that became receipts are grouped by the receipt counts the chunks had
    /// (<paramref name="sizes"/>; the grouping depended on timing, so it is not recomputed). Rows that failed
    /// locally are skipped as they were the first time.
    /// </summary>
    public async IAsyncEnumerable<ReceiptChunk> ReplayAsync(IReadOnlyList<int> sizes,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reopen = Reopen ?? throw new InvalidOperationException("this run has no way to read its input again");
        await Task.Yield(); // read on the caller's sending task, not on the thread that asked
        using var input = reopen();
        var fields = new List<string>();
        foreach (int size in sizes)
        {
            var chunk = new ReceiptChunk();
            while (chunk.Receipts.Count < size)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!input.TryRead(fields, out long line, out string? error))
                {
                    throw new InvalidDataException("the input ended before the rows sent earlier in the run (did it change during the run?); the run cannot be resumed");
                }

                if (parser.Parse(fields, line, error, input.BytesRead).Receipt is { } receipt)
                {
                    chunk.Receipts.Add(receipt);
                }
            }

            yield return chunk;
        }
    }

    public async Task<IncomeRunResult> RunAsync(ValuationPolicy policy, IncomeStreamCall call, CancellationToken cancellationToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rows = Channel.CreateBounded<SourceRow>(new BoundedChannelOptions(limits.RowBuffer) { SingleReader = true, SingleWriter = true });
        var pending = Channel.CreateBounded<SourceRow>(new BoundedChannelOptions(limits.PendingLimit) { SingleReader = true, SingleWriter = true });
        var chunks = Channel.CreateBounded<ReceiptChunk>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => ReadAsync(rows.Writer, run.Token), CancellationToken.None);
        var dispatching = Task.Run(() => DispatchAsync(rows.Reader, pending.Writer, chunks.Writer, run.Token), CancellationToken.None);
        var result = new IncomeRunResult();
        long lastLine = HeaderLine;
        var results = new IncomeResultStream(call(Requests(policy, chunks.Reader, run.Token), run.Token));
        try
        {
            await foreach (var row in pending.Reader.ReadAllAsync(run.Token))
            {
                if (row.Error is not null)
                {
                    writer.WriteError(row, row.Error);
                    Count(result, row, row.Error);
                }
                else
                {
                    var (income, provenance) = await results.NextAsync(row);
                    if (income.Income is { } recognized)
                    {
                        writer.WriteIncome(row, recognized, provenance);
                        result.Recognized++;
                    }
                    else
                    {
                        var error = income.Error ?? new ItemError { Code = "INTERNAL", Reason = "EMPTY_RESULT", Message = "the server sent a result with neither income nor error" };
                        writer.WriteError(row, error);
                        Count(result, row, error);
                    }
                }

                result.RowsWritten++;
                lastLine = row.Line;
                progress.Advance(result.RowsWritten, row.BytesRead);
            }

            result.Summary = await results.FinishAsync();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            Stop(result, "interrupted", "INTERRUPTED", $"interrupted (Ctrl-C or SIGTERM) after {result.RowsWritten} rows; rows after line {lastLine} were not processed", null, lastLine);
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or IOException or HttpRequestException or ProtocolViolation or InvalidDataException or CliException
            or OperationCanceledException)
        {
            string what = e is Grpc.Core.RpcException rpc ? CallErrors.Describe(rpc)
                : e is OperationCanceledException ? "DEADLINE_EXCEEDED: the run did not finish within --timeout" : e.Message;
            Stop(result, "aborted", "ABORTED", $"aborted after {result.RowsWritten} rows: {what}; rows after line {lastLine} were not processed", e, lastLine);
        }
        finally
        {
            await run.CancelAsync();
            writer.Flush();
            await Settle(reading);
            await Settle(dispatching);
            await results.DisposeAsync();
        }

        return result;

        void Stop(IncomeRunResult r, string status, string reason, string message, Exception? e, long line)
        {
            writer.WriteMarker(status, reason, message, line + 1);
            r.StoppedAs = status;
            r.StopMessage = message;
            r.StopException = e;
        }
    }

    private static void Count(IncomeRunResult result, SourceRow row, ItemError error)
    {
        result.Failed++;
        if (error.Reason == "PRICE_NOT_FOUND")
        {
            result.PriceNotFound++;
        }

        if (result.FirstErrors.Count < ErrorsShown)
        {
            result.FirstErrors.Add((row.Line, row.Id, error.Reason, error.Message));
        }
    }

    /// <summary>Waits for a helper task; its failure already reached the writer through the channels it completed.</summary>
    private static async Task Settle(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or IOException or CliException or InvalidDataException)
        {
            // the run was stopped, or the reader failed: the output's marker row already says so
        }
    }

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Requests(ValuationPolicy policy, ChannelReader<ReceiptChunk> chunks,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new RecognizeIncomeStreamRequest { Policy = policy };
        await foreach (var chunk in chunks.ReadAllAsync(cancellationToken))
        {
            yield return new RecognizeIncomeStreamRequest { Receipts = chunk };
        }
    }

    private async Task ReadAsync(ChannelWriter<SourceRow> rows, CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        try
        {
            while (file.TryRead(fields, out long line, out string? error))
            {
                var row = parser.Parse(fields, line, error, file.BytesRead);
                if (!rows.TryWrite(row))
                {
                    await rows.WriteAsync(row, cancellationToken);
                }
            }

            rows.TryComplete();
        }
        catch (Exception e)
        {
            rows.TryComplete(e is OperationCanceledException ? null : new IOException($"reading the input failed: {e.Message}", e));
            throw;
        }
    }

    /// <summary>
    /// Every row goes to <paramref name="pending"/> (the writer's order) before its receipt joins a chunk.
    /// When pending is full, the partial chunk is sent first: the rows at pending's head may be waiting on it.
    /// </summary>
    private async Task DispatchAsync(ChannelReader<SourceRow> rows, ChannelWriter<SourceRow> pending, ChannelWriter<ReceiptChunk> chunks,
        CancellationToken cancellationToken)
    {
        var chunk = new ReceiptChunk();
        try
        {
            await foreach (var row in rows.ReadAllAsync(cancellationToken))
            {
                if (!pending.TryWrite(row))
                {
                    if (chunk.Receipts.Count > 0)
                    {
                        await chunks.WriteAsync(chunk, cancellationToken);
                        chunk = new ReceiptChunk();
                    }

                    await pending.WriteAsync(row, cancellationToken);
                }

                if (row.Receipt is not null)
                {
                    chunk.Receipts.Add(row.Receipt);
                    if (chunk.Receipts.Count >= limits.ChunkSize)
                    {
                        await chunks.WriteAsync(chunk, cancellationToken);
                        chunk = new ReceiptChunk();
                    }
                }
            }

            if (chunk.Receipts.Count > 0)
            {
                await chunks.WriteAsync(chunk, cancellationToken);
            }

            chunks.TryComplete();
            pending.TryComplete();
        }
        catch (Exception e)
        {
            var failure = e is OperationCanceledException ? null : e;
            chunks.TryComplete(failure);
            pending.TryComplete(failure);
            throw;
        }
    }
}

/// <summary>The server broke the stream's contract (order, counts, summary).</summary>
internal sealed class ProtocolViolation : Exception
{
    public ProtocolViolation(string message) : base(message) { }

    public ProtocolViolation() { }

    public ProtocolViolation(string message, Exception innerException) : base(message, innerException) { }
}
