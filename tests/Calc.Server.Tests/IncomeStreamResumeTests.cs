using Calc.Server.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Server.Tests;

/// <summary>
/// StreamRecognizeIncome's resume (<c>resume_from_chunk</c> on the first message, <c>chunk_index</c> on every
/// results message) through the real server: a resumed stream answers exactly the uninterrupted stream's
/// results from chunk k on, hands over the skipped chunks' provenance records, and ends with the same summary.
/// </summary>
public sealed class IncomeStreamResumeTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    // 2025-03-14 … 2025-03-18 (the fixture's days) at noon Moscow; chunk c holds day c % 5's receipts, so new
    // provenance records appear chunk after chunk
    private static readonly DateTimeOffset FirstNoon = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);
    private const int Chunks = 7;
    private const int ChunkSize = 300;

    private CalcClient Client() => new(fixture.Server.GrpcAddress);

    [Fact]
    public async Task Resume_FromEveryChunk_AnswersTheRestOfTheUninterruptedStreamAndTheSameSummary()
    {
        var full = await RunAsync(0);
        Assert.Equal(Enumerable.Range(0, Chunks).Select(i => (long)i), full.Chunks.Select(c => c.ChunkIndex));
        Assert.True(full.Chunks[0].Provenances.Count < full.Provenances.Count, "later chunks must bring provenance records of their own");
        Assert.True(full.Summary.ErrorCount > 0, "the run includes item errors");

        for (int k = 1; k <= Chunks; k++)
        {
            var resumed = await RunAsync(k);

            Assert.Equal(Enumerable.Range(k, Chunks - k).Select(i => (long)i), resumed.Chunks.Select(c => c.ChunkIndex));
            Assert.Equal(full.Chunks.Skip(k).SelectMany(c => c.Results).Select(r => r.ToByteString()), resumed.Chunks.SelectMany(c => c.Results).Select(r => r.ToByteString()));
            if (k < Chunks)
            {
                // the first results message carries every provenance record from index 0: the table is the same
                Assert.Equal(full.Provenances, resumed.Provenances);
                Assert.All(resumed.Chunks.Skip(1).Zip(full.Chunks.Skip(k + 1)), pair => Assert.Equal(pair.Second.Provenances, pair.First.Provenances));
            }

            Assert.Equal(full.Summary.ToByteString(), resumed.Summary.ToByteString());
        }
    }

    [Fact]
    public async Task Resume_BeyondTheLastChunk_IsInvalidArgument()
    {
        var e = await RpcAssert.FailsAsync(() => RunAsync(Chunks + 1), "INVALID_ARGUMENT", "INVALID_FIELD");

        Assert.Contains($"resume_from_chunk is {Chunks + 1} but the stream had {Chunks} chunk(s)", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_Negative_IsInvalidArgument()
    {
        var e = await RpcAssert.FailsAsync(() => RunAsync(-1), "INVALID_ARGUMENT", "INVALID_FIELD");

        Assert.Contains("resume_from_chunk is -1", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_OnALaterMessage_IsInvalidArgument()
    {
        var e = await RpcAssert.FailsAsync(() => RunAsync(0, resumeOnSecondChunk: 1), "INVALID_ARGUMENT", "INVALID_FIELD");

        Assert.Contains("message 2 carries resume_from_chunk", e.Status.Detail, StringComparison.Ordinal);
    }

    private sealed record Run(List<IncomeResultChunk> Chunks, List<Provenance> Provenances, IncomeStreamSummary Summary);

    private async Task<Run> RunAsync(long resumeFrom, long resumeOnSecondChunk = 0)
    {
        using var client = Client();
        var chunks = new List<IncomeResultChunk>();
        var provenances = new List<Provenance>();
        IncomeStreamSummary? summary = null;
        await foreach (var message in client.StreamRecognizeIncomeAsync(Requests(resumeFrom, resumeOnSecondChunk), CalcClient.Within(TimeSpan.FromSeconds(60))))
        {
            Assert.Null(summary); // the summary is the last message
            if (message.Summary is { } s)
            {
                summary = s;
                continue;
            }

            chunks.Add(message.Results);
            provenances.AddRange(message.Results.Provenances);
            Assert.All(message.Results.Results.Where(r => r.Income is not null), r => Assert.InRange(r.Income.ProvenanceIndex, 0, provenances.Count - 1));
        }

        return new Run(chunks, provenances, summary ?? throw new InvalidOperationException("no summary"));
    }

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Requests(long resumeFrom, long resumeOnSecondChunk)
    {
        await Task.Yield();
        yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy(), ResumeFromChunk = resumeFrom };
        for (int c = 0; c < Chunks; c++)
        {
            var chunk = new ReceiptChunk();
            for (int i = 0; i < ChunkSize; i++)
            {
                int n = (c * ChunkSize) + i;
                chunk.Receipts.Add(new MiningReceipt
                {
                    Id = "r" + n,
                    ReceivedAt = Timestamp.FromDateTimeOffset(FirstNoon.AddDays(c % 5).AddSeconds(i)),
                    Asset = i % 3 == 0 ? "ETH" : "BTC",
                    Amount = i % 50 == 7 ? "-1" : "0.000" + (100 + i), // every 50th receipt an item error
                });
            }

            yield return new RecognizeIncomeStreamRequest { Receipts = chunk, ResumeFromChunk = c == 1 ? resumeOnSecondChunk : 0 };
        }
    }
}
