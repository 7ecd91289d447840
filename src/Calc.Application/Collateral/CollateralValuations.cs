using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Collateral;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Collateral;

/// <summary>ValueCollateral as sent; "" = the server default where optional.</summary>
public sealed record CollateralRequest(string Id, string Asset, string Amount, string AsOf, PolicyInput? Policy,
    string Haircut, string LoanRub, string MarginCallLtv, string LiquidationLtv);

/// <summary>A valuation with the price used and the thresholds applied.</summary>
public sealed record CollateralOutcome(CollateralValuation Valuation, PricedClose Pricing, decimal Haircut, decimal MarginCallLtv, decimal LiquidationLtv);

/// <summary>
/// Collateral valuation for banks: the coin priced by the tax method (venue close × CBR rate in force, the
/// same as income), then haircut, LTV and trigger prices (domain). Batch items fail one by one.
/// </summary>
public sealed class CollateralValuations(Pricer pricer, ValuationOptions options)
{
    public int MaxBatchItems => options.MaxBatchItems;

    public async ValueTask<CollateralOutcome> ValueAsync(CollateralRequest request, CancellationToken cancellationToken)
    {
        var results = new (CollateralOutcome?, CalcError?)[1];
        await ValueManyAsync([request], results, cancellationToken).ConfigureAwait(false);
        return results[0].Item1 ?? throw new CalcException(results[0].Item2!);
    }

    /// <summary>results[i] answers requests[i]: an outcome or the item's error.</summary>
    public async ValueTask ValueManyAsync(IReadOnlyList<CollateralRequest> requests, (CollateralOutcome?, CalcError?)[] results, CancellationToken cancellationToken)
    {
        if (Inputs.BatchSize(requests.Count, options.MaxBatchItems, "items") is { } sizeError)
        {
            throw new CalcException(sizeError);
        }

        // parse every item; group the lookups by resolved policy (venue, quote, usdt) so each group is one batch
        var parsed = new (CollateralInputs Inputs, ResolvedPolicy Policy, PriceKey Key)?[requests.Count];
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < requests.Count; i++)
        {
            if (Inputs.UniqueId(requests[i].Id, seenIds, "id") is { } duplicate)
            {
                results[i] = (null, duplicate);
                continue;
            }

            try
            {
                var policy = ResolvedPolicy.Resolve(requests[i].Policy, options);
                var inputs = Parse(requests[i]);
                parsed[i] = (inputs, policy, new PriceKey(policy.Venue, new AssetPair(requests[i].Asset, policy.QuoteCurrency), inputs.AsOf));
            }
            catch (CalcException e)
            {
                results[i] = (null, e.Error);
            }
        }

        foreach (var group in Enumerable.Range(0, requests.Count).Where(i => parsed[i] is not null).GroupBy(i => parsed[i]!.Value.Policy))
        {
            var indexes = group.ToArray();
            var prices = new Lookup<PricedClose>[indexes.Length];
            await pricer.PriceManyAsync(indexes.Select(i => parsed[i]!.Value.Key).ToArray(), group.Key, prices, cancellationToken).ConfigureAwait(false);
            for (int j = 0; j < indexes.Length; j++)
            {
                int i = indexes[j];
                if (prices[j].Value is not { } priced)
                {
                    results[i] = (null, prices[j].Error! with { Field = prices[j].Error!.Field == "date" ? "as_of" : prices[j].Error!.Field });
                    continue;
                }

                var x = parsed[i]!.Value.Inputs;
                results[i] = Value(requests[i].Asset, x, priced);
            }
        }
    }

    private static (CollateralOutcome?, CalcError?) Value(string asset, CollateralInputs x, PricedClose priced)
    {
        try
        {
            var valuation = CollateralValuator.Value(new CollateralInput(asset, x.Amount, priced.PriceRub, x.Loan, x.Haircut, x.MarginCall, x.Liquidation));
            return valuation.TryGetValue(out var v, out var error)
                ? (new CollateralOutcome(v, priced, x.Haircut, x.MarginCall, x.Liquidation), null)
                : (null, error);
        }
        catch (OverflowException)
        {
            // amounts that fit a decimal alone but not multiplied together: the client's input, not a server fault
            return (null, CalcError.Invalid(Reasons.InvalidAmount, "", "amount, price and loan are too large to compute with (a product exceeds 79228162514264337593543950335)"));
        }
    }

    private CollateralInputs Parse(CollateralRequest r)
    {
        DateOnly asOf = default;
        decimal amount = 0m, haircut = 0m, loan = 0m, marginCall = 0m, liquidation = 0m;
        var error = Inputs.AssetCode(r.Asset, "asset")
            ?? Inputs.Decimal(r.Amount, "amount", out amount)
            ?? Inputs.Positive(amount, "amount")
            ?? Inputs.Date(r.AsOf, "as_of", out asOf)
            ?? Inputs.OptionalDecimal(r.Haircut, "haircut", options.DefaultHaircut, out haircut)
            ?? Inputs.OptionalDecimal(r.LoanRub, "loan_rub", 0m, out loan)
            ?? Inputs.NonNegative(loan, "loan_rub")
            ?? Inputs.OptionalDecimal(r.MarginCallLtv, "margin_call_ltv", options.DefaultMarginCallLtv, out marginCall)
            ?? Inputs.OptionalDecimal(r.LiquidationLtv, "liquidation_ltv", options.DefaultLiquidationLtv, out liquidation);
        return error is null ? new CollateralInputs(amount, asOf, haircut, loan, marginCall, liquidation) : throw new CalcException(error);
    }

    private readonly record struct CollateralInputs(decimal Amount, DateOnly AsOf, decimal Haircut, decimal Loan, decimal MarginCall, decimal Liquidation);
}
