using Calc.Application.Income;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Transport.Grpc.Codecs;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>
/// calc.v1.IncomeService: maps proto ↔ application and delegates. No logic here. One implementation per rpc,
/// over the hand-written codec's types (<see cref="IncomeMarshallers"/>: no message object per receipt on the
/// way in or out), which the binary gRPC path calls through <see cref="IncomeCodecMethods"/>. The generated
/// <see cref="RecognizeIncome(V1.RecognizeIncomeRequest, ServerCallContext)"/> override serves JSON
/// transcoding only: it converts the parsed request to the codec's and the codec's answer back to the
/// generated response, so JSON and gRPC answers are the same bytes.
/// </summary>
public sealed class IncomeGrpcService(IncomeRecognition recognition) : V1.IncomeService.IncomeServiceBase
{
    /// <summary>RecognizeIncome on the codec's types (the gRPC binary path).</summary>
    public async Task<IncomeBatchReply> Recognize(IncomeBatchRequest request, ServerCallContext context)
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

    /// <summary>
    /// StreamRecognizeIncome on the codec's types (the only form: streams are gRPC only). Every request chunk
    /// is valued in order; a resumed stream (<c>resume_from_chunk = k</c> on the first message) values the
    /// chunks before k too — the totals and the stream-wide provenance indexes need them — but answers only
    /// from chunk k on, its first results message carrying the skipped chunks' provenance records as well.
    /// </summary>
    public async Task RecognizeStream(IAsyncStreamReader<IncomeStreamMessage> requestStream,
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

        var first = requestStream.Current;
        if (first.PayloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Policy)
        {
            first.Receipts?.Release();
            throw new CalcException(CalcError.Invalid(Reasons.MissingField, "policy", "the first message of the stream must carry the policy"));
        }

        long resumeFrom = first.ResumeFromChunk;
        if (resumeFrom < 0)
        {
            throw new CalcException(CalcError.Invalid(Reasons.InvalidField, "resume_from_chunk",
                $"resume_from_chunk is {resumeFrom}; it is the 0-based index of the first chunk to answer"));
        }

        var session = recognition.Begin(ProtoMap.Policy(first.Policy));
        // provenance records first used by skipped chunks: sent with the first results message
        var skippedProvenances = new List<V1.Provenance>();
        long chunkIndex = -1;
        while (await requestStream.MoveNext(ct))
        {
            chunkIndex++;
            var message = requestStream.Current;
            if (message.PayloadCase != V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts || message.Receipts is not { } receipts)
            {
                throw new CalcException(CalcError.Invalid(Reasons.InvalidField, "policy", $"message {chunkIndex + 1} carries a policy; only the first message may"));
            }

            if (message.ResumeFromChunk != 0)
            {
                receipts.Release();
                throw new CalcException(CalcError.Invalid(Reasons.InvalidField, "resume_from_chunk",
                    $"message {chunkIndex + 1} carries resume_from_chunk; only the first message (the policy) may"));
            }

            if (receipts.Count == 0)
            {
                receipts.Release();
                continue;
            }

            IncomeStreamReply? reply = null;
            try
            {
                recognition.CheckBatch(receipts.Count, $"receipts (chunk {chunkIndex + 1})");
                var chunk = await session.RecognizeAsync(receipts, ct);
                if (chunkIndex < resumeFrom)
                {
                    skippedProvenances.AddRange(chunk.Pricings.Select(ProtoMap.Provenance));
                }
                else
                {
                    var tail = new V1.IncomeResultChunk { ChunkIndex = chunkIndex };
                    tail.Provenances.AddRange(skippedProvenances);
                    skippedProvenances.Clear();
                    tail.Provenances.AddRange(chunk.Pricings.Select(ProtoMap.Provenance));
                    reply = IncomeStreamReply.Results(receipts, chunk, tail);
                }
            }
            finally
            {
                if (reply is null)
                {
                    receipts.Release(); // skipped or failed; an answer releases its receipts once written
                }
            }

            if (reply is not null)
            {
                await responseStream.WriteAsync(reply, ct);
            }
        }

        if (resumeFrom > chunkIndex + 1)
        {
            throw new CalcException(CalcError.Invalid(Reasons.InvalidField, "resume_from_chunk",
                $"resume_from_chunk is {resumeFrom} but the stream had {chunkIndex + 1} chunk(s); resume from at most {chunkIndex + 1} (only the summary)"));
        }

        var summary = new V1.IncomeStreamSummary { RulesVersion = session.RulesVersion, ReceiptCount = session.ReceiptCount, ErrorCount = session.ErrorCount };
        AddTotals(summary.Totals, session.Totals());
        AddReportLines(summary.ReportLines, session);
        summary.ReportLinesIncomplete = session.ReportLinesIncomplete;
        await responseStream.WriteAsync(IncomeStreamReply.Closing(summary), ct);
    }

    /// <summary>
    /// RecognizeIncome for JSON transcoding: the generated request becomes the codec's, and the codec's encoded
    /// answer is parsed into the generated response (the JSON path is not the hot path; one encoding of results).
    /// </summary>
    public override async Task<V1.RecognizeIncomeResponse> RecognizeIncome(V1.RecognizeIncomeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reply = await Recognize(IncomeDecoder.FromMessage(request), context);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var encoded = new EncodedResults(IncomeEncoder.EncodeResults(reply.Receipts, reply.Chunk, reply.InlineProvenances), reply.Tail.ToByteArray());
        IncomeEncoder.CopyOut(encoded, [], writer, reply.Receipts);
        return V1.RecognizeIncomeResponse.Parser.ParseFrom(writer.WrittenSpan);
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
