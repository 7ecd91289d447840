using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Rules;

namespace Calc.Application.Income;

/// <summary>
/// Entry to income recognition (Tax Code art. 282.3): resolves the policy (a bad policy fails the call) and
/// opens a session that values receipts chunk by chunk.
/// </summary>
public sealed class IncomeRecognition(Pricer pricer, RuleSet rules, ValuationOptions options)
{
    /// <summary>Most receipts in one unary call or one stream chunk.</summary>
    public int MaxBatchItems => options.MaxBatchItems;

    // per-chunk tables reused across calls (a 10,000-receipt batch would otherwise allocate them each time)
    private readonly IncomeScratchPool _scratch = new(options.MaxBatchItems);

    public IncomeSession Begin(PolicyInput? policy)
    {
        var resolved = ResolvedPolicy.Resolve(policy, options);
        if (pricer.CheckVenue(resolved.Venue, "policy.venue") is { } unknown)
        {
            throw new CalcException(unknown); // the whole call: every receipt would fail alike
        }

        return new(pricer, rules, resolved, _scratch);
    }

    /// <summary>Checks a unary batch's or a stream chunk's size; a violation fails the call.</summary>
    public void CheckBatch(int count, string field)
    {
        if (Inputs.BatchSize(count, options.MaxBatchItems, field) is { } error)
        {
            throw new CalcException(error);
        }
    }
}
