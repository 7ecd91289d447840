using Calc.Application.Income;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Codecs;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>
/// calc.v1.IncomeService: maps proto ↔ application and delegates. No logic here. Each rpc has two forms: over
/// the generated messages (Connect unary JSON/proto, and the reference the codec is tested against) and over
/// the hand-written codec (<see cref="RecognizeIncomeCodec"/>, <see cref="StreamRecognizeIncomeCodec"/>),
/// which the binary gRPC path uses: no message object per receipt on the way in or out.
/// </summary>
public sealed class IncomeGrpcService(IncomeRecognition recognition)
{
    [GrpcCodec(typeof(RecognizeIncomeCodec))]
    public async Task<IncomeBatchReply> RecognizeIncome(IncomeBatchRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            recognition.CheckBatch(request.Receipts.Count, "receipts");
            var session = recognition.Begin(ProtoMap.Policy(request.Policy));
            var chunk = await session.RecognizeAsync(request.Receipts, context.CancellationToken);
            var tail = new V1.RecognizeIncomeResponse { RulesVersion = session.RulesVersion };
            var provenances = chunk.Pricings.Select(ProtoMap.Provenance).ToArray();
            tail.Provenances.AddRange(provenances);
            AddTotals(tail.Totals, session.Totals());
            AddReportLines(tail.ReportLines, session);
            tail.ReportLinesIncomplete = session.ReportLinesIncomplete;
            return new IncomeBatchReply(request.Receipts, chunk, request.InlineProvenance ? provenances : null, tail);
        }
        catch
        {
            request.Receipts.Release();
            throw;
        }
    }

    [GrpcCodec(typeof(StreamRecognizeIncomeCodec))]
    public async Task StreamRecognizeIncome(IAsyncStreamReader<IncomeStreamMessage> requestStream,
        IServerStreamWriter<IncomeStreamReply> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct))
        {
            throw new CalcException(CalcError.Invalid(Reasons.MissingField, "policy", "the stream is empty; the first message must carry the policy"));
        }

        if (requestStream.Current.PayloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Policy)
        {
            requestStream.Current.Receipts?.Release();
            throw new CalcException(CalcError.Invalid(Reasons.MissingField, "policy", "the first message of the stream must carry the policy"));
        }

        var session = recognition.Begin(ProtoMap.Policy(requestStream.Current.Policy));
        long chunkNo = 0;
        while (await requestStream.MoveNext(ct))
        {
            chunkNo++;
            var message = requestStream.Current;
            if (message.PayloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts || message.Receipts is not { } receipts)
            {
                throw new CalcException(CalcError.Invalid(Reasons.InvalidField, "policy", $"message {chunkNo} carries a policy; only the first message may"));
            }

            if (receipts.Count == 0)
            {
                receipts.Release();
                continue;
            }

            IncomeStreamReply reply;
            try
            {
                recognition.CheckBatch(receipts.Count, $"receipts (chunk {chunkNo})");
                var chunk = await session.RecognizeAsync(receipts, ct);
                var tail = new V1.IncomeResultChunk();
                tail.Provenances.AddRange(chunk.Pricings.Select(ProtoMap.Provenance));
                reply = IncomeStreamReply.Results(receipts, chunk, tail);
            }
            catch
            {
                receipts.Release();
                throw;
            }

            await responseStream.WriteAsync(reply, ct);
        }

        var summary = new V1.IncomeStreamSummary { RulesVersion = session.RulesVersion, ReceiptCount = session.ReceiptCount, ErrorCount = session.ErrorCount };
        AddTotals(summary.Totals, session.Totals());
        AddReportLines(summary.ReportLines, session);
        summary.ReportLinesIncomplete = session.ReportLinesIncomplete;
        await responseStream.WriteAsync(IncomeStreamReply.Closing(summary), ct);
    }

    /// <summary>The generated-message form: Connect unary (JSON, binary) and the codec's reference.</summary>
    public async Task<V1.RecognizeIncomeResponse> RecognizeIncome(V1.RecognizeIncomeRequest request, ServerCallContext context)
    {
        recognition.CheckBatch(request.Receipts.Count, "receipts");
        var session = recognition.Begin(ProtoMap.Policy(request.Policy));
        var chunk = await session.RecognizeAsync(Receipts(request.Receipts), context.CancellationToken);
        var response = new V1.RecognizeIncomeResponse { RulesVersion = session.RulesVersion };
        var provenances = chunk.Pricings.Select(ProtoMap.Provenance).ToArray();
        response.Provenances.AddRange(provenances);
        AddResults(response.Results, request.Receipts, chunk, request.InlineProvenance ? provenances : null);
        AddTotals(response.Totals, session.Totals());
        AddReportLines(response.ReportLines, session);
        response.ReportLinesIncomplete = session.ReportLinesIncomplete;
        return response;
    }

    /// <summary>
    /// The generated-message form of the stream. The transport binds the codec form (Connect streams share
    /// gRPC's framing); this one is the reference the codec is tested against, and what serves the rpc if
    /// the codec is ever unbound.
    /// </summary>
    public async Task StreamRecognizeIncome(IAsyncStreamReader<V1.RecognizeIncomeStreamRequest> requestStream,
        IServerStreamWriter<V1.RecognizeIncomeStreamResponse> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct))
        {
            throw new CalcException(CalcError.Invalid(Reasons.MissingField, "policy", "the stream is empty; the first message must carry the policy"));
        }

        if (requestStream.Current.PayloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Policy)
        {
            throw new CalcException(CalcError.Invalid(Reasons.MissingField, "policy", "the first message of the stream must carry the policy"));
        }

        var session = recognition.Begin(ProtoMap.Policy(requestStream.Current.Policy));
        long chunkNo = 0;
        while (await requestStream.MoveNext(ct))
        {
            chunkNo++;
            var message = requestStream.Current;
            if (message.PayloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts)
            {
                throw new CalcException(CalcError.Invalid(Reasons.InvalidField, "policy", $"message {chunkNo} carries a policy; only the first message may"));
            }

            var receipts = message.Receipts.Receipts;
            if (receipts.Count == 0)
            {
                continue;
            }

            recognition.CheckBatch(receipts.Count, $"receipts (chunk {chunkNo})");
            var chunk = await session.RecognizeAsync(Receipts(receipts), ct);
            var results = new V1.IncomeResultChunk();
            results.Provenances.AddRange(chunk.Pricings.Select(ProtoMap.Provenance));
            AddResults(results.Results, receipts, chunk, null);
            await responseStream.WriteAsync(new V1.RecognizeIncomeStreamResponse { Results = results }, ct);
        }

        var summary = new V1.IncomeStreamSummary { RulesVersion = session.RulesVersion, ReceiptCount = session.ReceiptCount, ErrorCount = session.ErrorCount };
        AddTotals(summary.Totals, session.Totals());
        AddReportLines(summary.ReportLines, session);
        summary.ReportLinesIncomplete = session.ReportLinesIncomplete;
        await responseStream.WriteAsync(new V1.RecognizeIncomeStreamResponse { Summary = summary }, ct);
    }

    private static ReceiptView Receipts(IList<V1.MiningReceipt> receipts) => new(receipts);

    /// <summary>The request's receipts as application inputs, converted on access (no copy of the batch).</summary>
    private sealed class ReceiptView(IList<V1.MiningReceipt> receipts) : IReadOnlyList<ReceiptInput>
    {
        public int Count => receipts.Count;

        public ReceiptInput this[int index]
        {
            get
            {
                var r = receipts[index];
                return new ReceiptInput(r.Id, r.ReceivedAt is { } t && IsValid(t) ? t.ToDateTimeOffset() : null, r.Asset, r.Amount,
                    r.WalletAddress.Length > 0 ? r.WalletAddress : null, r.TxId.Length > 0 ? r.TxId : null, r.Pool.Length > 0 ? r.Pool : null,
                    (MiningOperation)(int)r.OperationType);
            }
        }

        public IEnumerator<ReceiptInput> GetEnumerator()
        {
            for (int i = 0; i < receipts.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Timestamp range of the protobuf spec (0001-01-01 … 9999-12-31, nanos 0 … 999,999,999).</summary>
    private static bool IsValid(Google.Protobuf.WellKnownTypes.Timestamp t) =>
        t.Seconds is >= -62_135_596_800L and <= 253_402_300_799L && t.Nanos is >= 0 and <= 999_999_999;

    internal static void AddResults(Google.Protobuf.Collections.RepeatedField<V1.IncomeResult> target, IList<V1.MiningReceipt> receipts,
        IncomeChunk chunk, V1.Provenance[]? inline)
    {
        var dates = new Dictionary<DateOnly, string>();
        target.Capacity = chunk.Outcomes.Length;
        for (int i = 0; i < chunk.Outcomes.Length; i++)
        {
            var outcome = chunk.Outcomes[i];
            var result = new V1.IncomeResult { ReceiptId = receipts[i].Id };
            if (outcome.Error is { } error)
            {
                result.Error = ProtoMap.ItemError(error.Field == "received_at" && receipts[i].ReceivedAt is not null && !IsValid(receipts[i].ReceivedAt)
                    ? error with { Reason = Reasons.InvalidTimestamp, Message = "received_at is outside the Timestamp range (0001-01-01 to 9999-12-31)" }
                    : error);
            }
            else
            {
                result.Income = new V1.RecognizedIncome
                {
                    IncomeDate = ProtoMap.CachedDate(outcome.IncomeDate, dates),
                    Asset = receipts[i].Asset,
                    Amount = receipts[i].Amount,
                    IncomeRub = ProtoMap.Dec(outcome.IncomeRub),
                    ProvenanceIndex = outcome.PricingIndex,
                    Provenance = inline?[outcome.PricingIndex - chunk.FirstNewPricing],
                };
            }

            target.Add(result);
        }
    }

    internal static void AddReportLines(Google.Protobuf.Collections.RepeatedField<V1.MonthlyReportLine> target, IncomeSession session) =>
        target.AddRange(session.ReportLines().Select(ProtoMap.ReportLine));

    internal static void AddTotals(Google.Protobuf.Collections.RepeatedField<V1.MonthlyTotal> target, IReadOnlyList<MonthlyTotal> totals)
    {
        foreach (var t in totals)
        {
            target.Add(new V1.MonthlyTotal
            {
                Year = t.Year,
                Month = t.Month,
                Asset = t.Asset,
                Amount = ProtoMap.Dec(t.Amount),
                IncomeRub = ProtoMap.Dec(t.IncomeRub),
                ReceiptCount = t.ReceiptCount,
                ReportDueDate = t.ReportDueDate is { } due ? ProtoMap.Date(due) : "",
                ReportDueDateError = t.DueDateError is { } e ? ProtoMap.ItemError(e) : null,
            });
        }
    }
}
