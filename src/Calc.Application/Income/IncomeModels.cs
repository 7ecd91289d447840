using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Income;

namespace Calc.Application.Income;

/// <summary>
/// A receipt as a client sent it: strings unparsed (validated here, per item), the instant null when absent.
/// <see cref="Amount"/> is the client's decimal text; results echo it unchanged.
/// </summary>
public readonly record struct ReceiptInput(string Id, DateTimeOffset? ReceivedAt, string Asset, string Amount);

/// <summary>One receipt's outcome: a recognised income (with the index of its pricing) or an error.</summary>
public readonly record struct IncomeOutcome(RecognizedIncome Income, int PricingIndex, CalcError? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// The outcome of a chunk of receipts: one outcome per receipt in order, and the distinct pricings they used.
/// <see cref="FirstNewPricing"/> is the index in <see cref="Pricings"/> from which pricings are new to the
/// stream (all of them for a unary call), so a stream sends each provenance once.
/// </summary>
public sealed record IncomeChunk(IncomeOutcome[] Outcomes, IReadOnlyList<PricedClose> Pricings, int FirstNewPricing, int ErrorCount);
