using System.Runtime.CompilerServices;
using Calc.Cli.Income;
using Calc.V1;

namespace Calc.Cli.Tests.Infrastructure;

/// <summary>
/// A stand-in for StreamRecognizeIncome that follows the stream contract (policy first, results in order,
/// stream-wide provenance indexes, summary last) with made-up figures, to test the CLI's pipeline alone.
/// Asset "XYZ" is answered with UNKNOWN_ASSET.
/// </summary>
internal sealed class FakeIncomeService
{
    public List<int> ChunkSizes { get; } = [];

    public ValuationPolicy? Policy { get; private set; }

    /// <summary>After this many chunks the fake stops answering and waits for cancellation.</summary>
    public int? HangAfterChunks { get; init; }

    /// <summary>Answer this receipt id instead of the first one (contract violation).</summary>
    public string? WrongIdForFirst { get; init; }

    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IncomeStreamCall Call => Run;

    private async IAsyncEnumerable<RecognizeIncomeStreamResponse> Run(IAsyncEnumerable<RecognizeIncomeStreamRequest> requests,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long count = 0, errors = 0;
        int provenanceCount = 0;
        await foreach (var request in requests.WithCancellation(cancellationToken))
        {
            if (Policy is null)
            {
                Policy = request.Policy ?? throw new InvalidOperationException("the first message must be the policy");
                continue;
            }

            if (HangAfterChunks is { } n && ChunkSizes.Count >= n)
            {
                Hanging.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            ChunkSizes.Add(request.Receipts.Receipts.Count);
            var chunk = new IncomeResultChunk();
            chunk.Provenances.Add(new Provenance { Venue = "fake", Pair = "X/USD", Close = "2", CloseDate = "2025-03-0" + (provenanceCount % 9 + 1), CbrRate = "100.0000", CbrNominal = 1 });
            foreach (var receipt in request.Receipts.Receipts)
            {
                count++;
                string id = WrongIdForFirst is { } wrong && count == 1 ? wrong : receipt.Id;
                if (receipt.Asset == "XYZ")
                {
                    errors++;
                    chunk.Results.Add(new IncomeResult { ReceiptId = id, Error = new ItemError { Code = "INVALID_ARGUMENT", Reason = "UNKNOWN_ASSET", Message = "no such asset", Field = "asset" } });
                    continue;
                }

                chunk.Results.Add(new IncomeResult
                {
                    ReceiptId = id,
                    Income = new RecognizedIncome
                    {
                        IncomeDate = receipt.ReceivedAt.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                        Asset = receipt.Asset,
                        Amount = receipt.Amount,
                        IncomeRub = "200.00",
                        ProvenanceIndex = provenanceCount,
                    },
                });
            }

            provenanceCount++;
            yield return new RecognizeIncomeStreamResponse { Results = chunk };
        }

        var summary = new IncomeStreamSummary { ReceiptCount = count, ErrorCount = errors, RulesVersion = "fake" };
        summary.Totals.Add(new MonthlyTotal { Year = 2025, Month = 3, Asset = "BTC", Amount = "1", IncomeRub = "200.00", ReceiptCount = (int)(count - errors), ReportDueDate = "2025-04-21" });
        yield return new RecognizeIncomeStreamResponse { Summary = summary };
    }
}
