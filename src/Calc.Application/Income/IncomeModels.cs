using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Income;

namespace Calc.Application.Income;

/// <summary>
/// A receipt as a client sent it: strings unparsed (validated here, per item), the instant null when absent.
/// <see cref="Amount"/> is the client's decimal text; results echo it unchanged. <see cref="WalletAddress"/>,
/// <see cref="TxId"/>, <see cref="Pool"/> and <see cref="Operation"/> feed the monthly report's lines only.
/// </summary>
public readonly record struct ReceiptInput(string Id, DateTimeOffset? ReceivedAt, string Asset, string Amount,
    string? WalletAddress = null, string? TxId = null, string? Pool = null, MiningOperation Operation = MiningOperation.Unspecified);

/// <summary>
/// One receipt's outcome: its income date and RUB value (with the index of its pricing), or an error. The
/// receipt's own fields (id, asset, amount) are the caller's; the outcome does not copy them (32 bytes a receipt).
/// </summary>
public readonly record struct IncomeOutcome(DateOnly IncomeDate, decimal IncomeRub, int PricingIndex, CalcError? Error)
{
    public bool Ok => Error is null;

    public static IncomeOutcome Failed(CalcError error) => new(default, 0m, -1, error);
}

/// <summary>
/// The outcome of a chunk of receipts: one outcome per receipt in order, and the distinct pricings they used.
/// <see cref="FirstNewPricing"/> is the index in <see cref="Pricings"/> from which pricings are new to the
/// stream (all of them for a unary call), so a stream sends each provenance once.
/// </summary>
public sealed record IncomeChunk(IncomeOutcome[] Outcomes, IReadOnlyList<PricedClose> Pricings, int FirstNewPricing, int ErrorCount);
