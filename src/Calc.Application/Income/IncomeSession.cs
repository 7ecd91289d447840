using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Domain.Money;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;

namespace Calc.Application.Income;

/// <summary>
/// Income recognition for one call: a unary batch is one chunk, a month-end stream many. The session keeps
/// what must outlive a chunk — the monthly totals and the stream-wide provenance table — and nothing
/// per receipt, so memory is bounded whatever the stream length. Not thread-safe: one session per call.
/// </summary>
public sealed class IncomeSession
{
    private readonly Pricer _pricer;
    private readonly RuleSet _rules;
    private readonly MonthlyTotalsBuilder _totals = new();
    // stream-wide: value equality, consulted once per distinct pricing of a chunk
    private readonly Dictionary<PricedClose, int> _pricingIndex = [];
    private readonly List<PricedClose> _pricings = [];

    public IncomeSession(Pricer pricer, RuleSet rules, ResolvedPolicy policy)
    {
        _pricer = pricer;
        _rules = rules;
        Policy = policy;
    }

    public ResolvedPolicy Policy { get; }

    public string RulesVersion => _rules.Version;

    public long ReceiptCount { get; private set; }

    public long ErrorCount { get; private set; }

    /// <summary>Values a chunk; every receipt gets an outcome, in order. Only market-data outages may throw.</summary>
    public async ValueTask<IncomeChunk> RecognizeAsync(IReadOnlyList<ReceiptInput> receipts, CancellationToken cancellationToken)
    {
        int n = receipts.Count;
        var outcomes = new IncomeOutcome[n];
        var parsed = new MiningReceipt[n];
        var keys = new List<PriceKey>(n);
        var keyOf = new int[n];
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var zone = Policy.Domain.Zone;

        // pass 1: validate each receipt and find its income date (no I/O)
        for (int i = 0; i < n; i++)
        {
            var r = receipts[i];
            var error = Validate(r, seenIds, out decimal amount);
            if (error is not null)
            {
                outcomes[i] = new IncomeOutcome(default, -1, error);
                keyOf[i] = -1;
                continue;
            }

            parsed[i] = new MiningReceipt(r.Id, r.ReceivedAt!.Value, r.Asset, amount);
            keyOf[i] = keys.Count;
            keys.Add(new PriceKey(Policy.Venue, new AssetPair(r.Asset, Policy.QuoteCurrency), IncomeDate.Of(r.ReceivedAt.Value, zone)));
        }

        // pass 2: one batch lookup of every distinct (asset, day) close and (currency, day) rate
        var prices = new Lookup<PricedClose>[keys.Count];
        if (keys.Count > 0)
        {
            await _pricer.PriceManyAsync(keys, Policy, prices, cancellationToken).ConfigureAwait(false);
        }

        // pass 3: value each receipt (domain: kopecks, half away from zero) and add it to the totals
        int firstNew = _pricings.Count;
        // per chunk: the pricer hands out one instance per distinct key, so reference equality suffices here
        var chunkIndex = new Dictionary<PricedClose, int>(ReferenceEqualityComparer.Instance);
        int errors = 0;
        for (int i = 0; i < n; i++)
        {
            if (keyOf[i] < 0)
            {
                errors++;
                continue;
            }

            var price = prices[keyOf[i]];
            if (price.Value is not { } priced)
            {
                outcomes[i] = new IncomeOutcome(default, -1, price.Error! with { Field = price.Error!.Field == "date" ? "received_at" : price.Error.Field });
                errors++;
                continue;
            }

            var result = IncomeRecognizer.Recognize(parsed[i], priced.Close.Close, priced.Rate?.Rate, Policy.Domain);
            if (!result.TryGetValue(out var income, out var recognitionError))
            {
                outcomes[i] = new IncomeOutcome(default, -1, recognitionError);
                errors++;
                continue;
            }

            if (!chunkIndex.TryGetValue(priced, out int index))
            {
                if (!_pricingIndex.TryGetValue(priced, out index))
                {
                    index = _pricings.Count;
                    _pricingIndex[priced] = index;
                    _pricings.Add(priced);
                }

                chunkIndex[priced] = index;
            }

            _totals.Add(income);
            outcomes[i] = new IncomeOutcome(income, index, null);
        }

        ReceiptCount += n;
        ErrorCount += errors;
        return new IncomeChunk(outcomes, _pricings.GetRange(firstNew, _pricings.Count - firstNew), firstNew, errors);
    }

    /// <summary>Monthly totals of everything recognised so far, with the report due dates.</summary>
    public IReadOnlyList<MonthlyTotal> Totals() => _totals.Build(_rules.Calendar);

    private static CalcError? Validate(in ReceiptInput r, HashSet<string> seenIds, out decimal amount)
    {
        amount = 0m;
        if (r.Id.Length > 0 && !seenIds.Add(r.Id))
        {
            return CalcError.Invalid(Reasons.DuplicateId, "id", $"receipt id '{Short(r.Id)}' appears more than once in this request");
        }

        if (r.Id.Length > 256)
        {
            return CalcError.Invalid(Reasons.InvalidField, "id", "id is longer than 256 characters");
        }

        if (r.ReceivedAt is null)
        {
            return CalcError.Invalid(Reasons.MissingField, "received_at", "received_at is required (when the right to dispose of the coins arose)");
        }

        return Inputs.AssetCode(r.Asset, "asset")
            ?? Inputs.Decimal(r.Amount, "amount", out amount)
            ?? Inputs.Positive(amount, "amount");
    }

    private static string Short(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
