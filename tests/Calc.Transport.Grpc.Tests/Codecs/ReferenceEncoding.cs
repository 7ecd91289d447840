using Calc.Application.Income;
using Calc.Domain.Income;
using Calc.Domain.Errors;
using Calc.Transport.Grpc.Services.Calc;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>
/// The results of a chunk built as generated messages, field by field: the reference the codec's bytes are
/// compared with (the codec must serialise exactly what Google.Protobuf would for these messages).
/// </summary>
internal static class ReferenceEncoding
{
    public static void AddResults(Google.Protobuf.Collections.RepeatedField<V1.IncomeResult> target, IList<V1.MiningReceipt> receipts,
        IncomeChunk chunk, V1.Provenance[]? inline)
    {
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
                    IncomeDate = ProtoMap.Date(outcome.IncomeDate),
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

    public static void AddTotals(Google.Protobuf.Collections.RepeatedField<V1.MonthlyTotal> target, IReadOnlyList<MonthlyTotal> totals) =>
        IncomeGrpcService.AddTotals(target, totals);

    private static bool IsValid(Google.Protobuf.WellKnownTypes.Timestamp t) =>
        t.Seconds is >= -62_135_596_800L and <= 253_402_300_799L && t.Nanos is >= 0 and <= 999_999_999;
}
