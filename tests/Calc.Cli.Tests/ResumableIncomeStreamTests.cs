using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Calc.Cli.Csv;
using Calc.Cli.Hosting;
using Calc.Cli.Income;
using Calc.Cli.Output;
using Calc.Cli.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Calc.Cli.Tests;

/// <summary>
/// The month-end stream's resume on the client (<see cref="ResumableIncomeStream"/>) against an in-memory server
/// that follows the resume contract and fails where told: the caller sees the uninterrupted stream — every
/// result once, in order, the provenance table without repeats, one summary — whatever message the call broke
/// before; and the CLI's run writes the same bytes as without a failure.
/// </summary>
public class ResumableIncomeStreamTests
{
    private static readonly StreamResumePolicy Fast = new(5, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

    [Theory]
    [InlineData(1, false)]  // before the first results: resume from chunk 0
    [InlineData(2, false)]
    [InlineData(5, false)]
    [InlineData(8, false)]  // before the last chunk's results
    [InlineData(9, false)]  // before the summary: every result arrived, the summary did not
    [InlineData(2, true)]   // chunks answered in two messages: the call broke between a chunk's halves
    [InlineData(5, true)]
    [InlineData(9, true)]
    public async Task LostAfterSomeMessages_CallerSeesTheUninterruptedStream(int failBefore, bool split)
    {
        var expected = await Collect(new ScriptedIncomeServer { SplitChunks = split });
        var server = new ScriptedIncomeServer { SplitChunks = split, Fail = (call, message) => call == 1 && message == failBefore ? ScriptedIncomeServer.Unavailable() : null };

        var actual = await Collect(server);

        Assert.Equal(Flatten(expected), Flatten(actual));
        Assert.Equal(2, server.Calls.Count);
        // the resumed call re-sent the whole run and asked for the first chunk not fully delivered
        Assert.Equal(ChunkCount, server.Calls[1].Chunks);
        long delivered = split ? (failBefore - 1) / 2 : failBefore - 1;
        Assert.Equal(Math.Min(delivered, ChunkCount), server.Calls[1].First.ResumeFromChunk);
        Assert.Equal("binance", server.Calls[1].First.Policy.Venue);
    }

    [Fact]
    public async Task LostRepeatedly_EachCallFurther_CompletesAndResumesFromWhereEachStopped()
    {
        var expected = await Collect(new ScriptedIncomeServer());
        // every call dies after delivering two more messages
        var server = new ScriptedIncomeServer { Fail = (call, message) => call < 5 && message == 3 ? ScriptedIncomeServer.Unavailable() : null };

        var actual = await Collect(server, new StreamResumePolicy(2, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)));

        Assert.Equal(Flatten(expected), Flatten(actual));
        Assert.Equal([0L, 2, 4, 6, 8], server.Calls.Select(c => c.First.ResumeFromChunk));
    }

    [Theory]
    [InlineData(1)]  // the balancer reset the stream before any answer (its replica died at once)
    [InlineData(4)]
    public async Task WriteAbortedWithASilentResponse_IsResumedNotWaitedFor(int chunk)
    {
        var expected = await Collect(new ScriptedIncomeServer());
        var server = new ScriptedIncomeServer { AbortWrite = (call, n) => call == 1 && n == chunk };
        var resumes = new List<StreamResume>();

        var actual = await Collect(server, onResume: resumes.Add).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Flatten(expected), Flatten(actual));
        Assert.Equal(2, server.Calls.Count);
        Assert.Equal(StatusCode.Unavailable, Assert.Single(resumes).Cause.StatusCode);
    }

    [Theory]
    [InlineData(1)]  // the replica behind a balancer died before answering and the stream was never reset
    [InlineData(5)]
    [InlineData(9)]  // everything but the summary
    public async Task SilentStream_IsTakenAsLostAfterTheStallTimeout(int message)
    {
        var expected = await Collect(new ScriptedIncomeServer());
        var server = new ScriptedIncomeServer { Stall = (call, n) => call == 1 && n == message };
        var resumes = new List<StreamResume>();

        var actual = await Collect(server, Fast with { StallTimeout = TimeSpan.FromMilliseconds(300) }, resumes.Add).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Flatten(expected), Flatten(actual));
        Assert.Contains("no answer and no progress", Assert.Single(resumes).Cause.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowCaller_IsNotAStall()
    {
        var server = new ScriptedIncomeServer();
        var stream = new ResumableIncomeStream(server.Open, (sizes, ct) => Chunks(sizes.Count, 0, ct), default,
            Fast with { StallTimeout = TimeSpan.FromMilliseconds(100) });
        int results = 0;

        await foreach (var response in stream.RunAsync(Requests()))
        {
            results += response.Results?.Results.Count ?? 0;
            await Task.Delay(250); // the caller takes its time between results: the server is waiting on it, not stalled
        }

        Assert.Equal(ChunkCount * 5, results);
        Assert.Equal(1, stream.Calls);
    }

    [Fact]
    public async Task LostAfterTheSummary_CompletesWithoutAnotherCall()
    {
        var expected = await Collect(new ScriptedIncomeServer());
        var server = new ScriptedIncomeServer { Fail = (call, message) => message == ChunkCount + 2 ? ScriptedIncomeServer.Unavailable("reset after the last message") : null };

        var actual = await Collect(server);

        Assert.Equal(Flatten(expected), Flatten(actual));
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task NeverReachable_GivesUpAfterMaxAttemptsWithTheLastStatus()
    {
        var server = new ScriptedIncomeServer { Fail = (_, _) => ScriptedIncomeServer.Unavailable("connection refused") };
        var resumes = new List<StreamResume>();

        var e = await Assert.ThrowsAsync<RpcException>(() => Collect(server, Fast, resumes.Add));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal(Fast.MaxAttempts, server.Calls.Count);
        Assert.Equal(Fast.MaxAttempts - 1, resumes.Count);
        Assert.All(resumes, r => Assert.Equal(0, r.FromChunk));
    }

    [Fact]
    public async Task CancelledOnTheWay_IsResumed()
    {
        // HAProxy ends the client's stream without trailers when the replica dies mid-response
        var expected = await Collect(new ScriptedIncomeServer());
        var server = new ScriptedIncomeServer
        {
            Fail = (call, message) => call == 1 && message == 4 ? new RpcException(new Status(StatusCode.Cancelled, "No grpc-status found on response.")) : null,
        };

        var actual = await Collect(server);

        Assert.Equal(Flatten(expected), Flatten(actual));
        Assert.Equal(3, server.Calls[1].First.ResumeFromChunk);
    }

    [Fact]
    public async Task StatusChosenByTheServer_IsNotResumed()
    {
        var server = new ScriptedIncomeServer { Fail = (_, message) => message == 3 ? new RpcException(new Status(StatusCode.InvalidArgument, "bad chunk")) : null };

        var e = await Assert.ThrowsAsync<RpcException>(() => Collect(server));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task ServerWithoutChunkIndex_StreamWorks_ButALossIsNotResumed()
    {
        var expected = await Collect(new ScriptedIncomeServer());
        var legacy = await Collect(new ScriptedIncomeServer { Legacy = true });
        Assert.Equal(Flatten(expected).Select(Unindexed), Flatten(legacy).Select(Unindexed));

        var server = new ScriptedIncomeServer { Legacy = true, Fail = (call, message) => message == 4 ? ScriptedIncomeServer.Unavailable() : null };
        var e = await Assert.ThrowsAsync<RpcException>(() => Collect(server));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task ReplayThatDiffers_FailsTheRunInsteadOfResuming()
    {
        var server = new ScriptedIncomeServer { Fail = (call, message) => call == 1 && message == 4 ? ScriptedIncomeServer.Unavailable() : null };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Collect(server, replayOffset: 1));

        Assert.Contains("differs from the chunk sent before", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]          // a budget smaller than a chunk: one chunk at a time
    [InlineData(1, 2)]          // the chunk being answered and one more
    [InlineData(2, 3)]
    [InlineData(100, ChunkCount)]
    public async Task RequestSide_RunsAtMostTheBudgetAheadOfTheAnswers(int chunksOfBudget, int expectedAhead)
    {
        var server = new ScriptedIncomeServer { AnswerDelay = TimeSpan.FromMilliseconds(20) };
        int chunkBytes = (await Chunks(1, 0, CancellationToken.None).FirstAsync()).CalculateSize();

        var actual = await Collect(server, maxUnansweredBytes: chunksOfBudget == 0 ? 1 : chunksOfBudget * chunkBytes);

        Assert.Equal(Flatten(await Collect(new ScriptedIncomeServer())), Flatten(actual));
        Assert.Equal(expectedAhead, server.MaxAhead);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public async Task IncomeRun_ConnectionLost_WritesTheSameBytesAsWithoutAFailure(int failBefore)
    {
        using var temp = Fixtures.Temp();
        // good rows with bad rows among them (written in place, never sent), several days (provenance records)
        var csv = new StringBuilder("id,received_at,asset,amount\n");
        for (int i = 0; i < 2_000; i++)
        {
            string amount = i % 97 == 5 ? "1,2.3" : "0.00" + (i + 1).ToString(CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"R{i},2025-03-{10 + (i / 300):00}T10:00:00Z,{(i % 41 == 3 ? "XYZ" : "BTC")},{amount}\n");
        }

        string input = temp.File("in.csv");
        File.WriteAllText(input, csv.ToString());
        var limits = new IncomeRunLimits(ChunkSize: 150, RowBuffer: 40, PendingLimit: 200);

        var (plain, plainResult) = await RunCli(input, temp.File("plain.csv"), new ScriptedIncomeServer(), limits);
        var server = new ScriptedIncomeServer { Fail = (call, message) => call == 1 && message == failBefore ? ScriptedIncomeServer.Unavailable() : null };
        var (resumed, resumedResult) = await RunCli(input, temp.File("resumed.csv"), server, limits);

        Assert.Null(resumedResult.StoppedAs);
        Assert.Equal(2, server.Calls.Count);
        Assert.Equal(failBefore - 1, server.Calls[1].First.ResumeFromChunk);
        Assert.Equal(plainResult.Summary, resumedResult.Summary);
        Assert.Equal(2_001, plain.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(plain, resumed); // byte for byte
    }

    private const int ChunkCount = 8;

    private static async Task<List<RecognizeIncomeStreamResponse>> Collect(ScriptedIncomeServer server, StreamResumePolicy? policy = null,
        Action<StreamResume>? onResume = null, int replayOffset = 0, int maxUnansweredBytes = StreamFlow.DefaultMaxUnansweredBytes)
    {
        var stream = new ResumableIncomeStream(server.Open, (sizes, ct) => Chunks(sizes.Count, replayOffset, ct), default, policy ?? Fast, onResume,
            maxUnansweredBytes);
        var responses = new List<RecognizeIncomeStreamResponse>();
        await foreach (var response in stream.RunAsync(Requests()))
        {
            responses.Add(response);
        }

        return responses;
    }

    /// <summary>Every result and provenance record the caller saw, in order, and the summary: what a consumer can depend on.</summary>
    private static List<string> Flatten(List<RecognizeIncomeStreamResponse> responses) =>
    [
        .. responses.SelectMany(r => r.Results is { } chunk
            ? chunk.Provenances.Select(p => "provenance " + p).Concat(chunk.Results.Select(x => $"chunk {chunk.ChunkIndex} result " + x))
            : ["summary " + r.Summary]),
    ];

    private static string Unindexed(string line) => System.Text.RegularExpressions.Regex.Replace(line, "^chunk [0-9]+ ", "chunk ? ");

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Requests()
    {
        yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy { Venue = "binance" } };
        await foreach (var chunk in Chunks(ChunkCount, 0, CancellationToken.None))
        {
            yield return new RecognizeIncomeStreamRequest { Receipts = chunk };
        }
    }

    /// <summary>Chunk c: 5 receipts on day c / 2 (a new provenance record every other chunk), one of them an item error.</summary>
    private static async IAsyncEnumerable<ReceiptChunk> Chunks(int count, int offset, [EnumeratorCancellation] CancellationToken ct)
    {
        for (int c = 0; c < count; c++)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            var chunk = new ReceiptChunk();
            for (int i = 0; i < 5; i++)
            {
                chunk.Receipts.Add(new MiningReceipt
                {
                    Id = $"c{c}-{i + offset}",
                    Asset = i == 3 ? "XYZ" : "BTC",
                    Amount = "0.0" + i,
                    ReceivedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 10 + (c / 2), 12, 0, 0, TimeSpan.Zero)),
                });
            }

            yield return chunk;
        }
    }

    private static async Task<(string Output, IncomeRunResult Result)> RunCli(string input, string output, ScriptedIncomeServer server, IncomeRunLimits limits)
    {
        var header = new List<string>();
        CsvFile OpenPastHeader()
        {
            var file = CsvFile.Open(input, CsvReadOptions.Auto);
            file.TryRead(header, out _, out _);
            return file;
        }

        using var csv = OpenPastHeader();
        var parser = new ReceiptParser(ReceiptColumns.Map(header, "in.csv"), TimeZoneInfo.Utc) { HeaderWidth = header.Count };
        IncomeRunResult result;
        using (var writer = new IncomeCsvWriter(File.Create(output), CsvDialect.Invariant))
        {
            var run = new IncomeRun(csv, parser, writer, new RunProgress(csv.Length), limits) { Reopen = OpenPastHeader };
            result = await run.RunAsync(new ValuationPolicy { TimeZone = "UTC" },
                (requests, ct) => new ResumableIncomeStream(server.Open, run.ReplayAsync, default, Fast).RunAsync(requests, ct), CancellationToken.None);
        }

        return (await File.ReadAllTextAsync(output), result);
    }
}
