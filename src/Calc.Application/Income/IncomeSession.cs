using System.Buffers;
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
    // per chunk, kept for reuse across a stream's chunks (cleared, capacity retained)
    private readonly HashSet<string> _seenIds = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _keyIndex = [];
    private readonly List<string> _assets = [];
    private int _chunkFirstNew;

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

    /// <summary>
    /// Values a chunk; every receipt gets an outcome, in order. Only market-data outages may throw.
    /// <paramref name="receipts"/> is read twice per receipt (validation, then valuation), so it may be a
    /// cheap view over the caller's messages rather than a copy.
    /// </summary>
    public async ValueTask<IncomeChunk> RecognizeAsync(IReadOnlyList<ReceiptInput> receipts, CancellationToken cancellationToken)
    {
        int n = receipts.Count;
        var outcomes = new IncomeOutcome[n];
        var pending = ArrayPool<Pending>.Shared.Rent(n);
        try
        {
            var keys = FindPriceKeys(receipts, outcomes, pending);

            // pass 2: one batch lookup of every distinct (asset, day) close and (currency, day) rate
            var prices = new Lookup<PricedClose>[keys.Count];
            if (keys.Count > 0)
            {
                await _pricer.PriceManyAsync(keys, Policy, prices, cancellationToken).ConfigureAwait(false);
            }

            int errors = Value(receipts, outcomes, pending, prices);
            ReceiptCount += n;
            ErrorCount += errors;
            int firstNew = _chunkFirstNew;
            return new IncomeChunk(outcomes, _pricings.GetRange(firstNew, _pricings.Count - firstNew), firstNew, errors);
        }
        finally
        {
            ArrayPool<Pending>.Shared.Return(pending);
        }
    }

    /// <summary>
    /// Pass 1 (no I/O): validates each receipt, finds its income date and the index of its distinct price key.
    /// Keys are deduplicated here (venue and quote are the policy's, so a key is an asset slot and a day):
    /// the pricer then sees one key per (asset, day), not one per receipt.
    /// </summary>
    private List<PriceKey> FindPriceKeys(IReadOnlyList<ReceiptInput> receipts, IncomeOutcome[] outcomes, Pending[] pending)
    {
        var zone = Policy.Domain.Zone;
        var keys = new List<PriceKey>();
        _keyIndex.Clear();
        _assets.Clear();
        _seenIds.Clear();
        _seenIds.EnsureCapacity(receipts.Count);
        for (int i = 0; i < receipts.Count; i++)
        {
            var r = receipts[i];
            var error = Validate(r, _seenIds, out decimal amount);
            if (error is not null)
            {
                outcomes[i] = IncomeOutcome.Failed(error);
                pending[i] = new Pending(0m, -1);
                continue;
            }

            var date = IncomeDate.Of(r.ReceivedAt!.Value, zone);
            long slotAndDay = ((long)AssetSlot(r.Asset) << 32) | (uint)date.DayNumber;
            if (!_keyIndex.TryGetValue(slotAndDay, out int key))
            {
                key = keys.Count;
                _keyIndex[slotAndDay] = key;
                keys.Add(new PriceKey(Policy.Venue, new AssetPair(r.Asset, Policy.QuoteCurrency), date));
            }

            pending[i] = new Pending(amount, key);
        }

        return keys;
    }

    /// <summary>Pass 3: values each receipt (domain: kopecks, half away from zero) and adds it to the totals; the error count.</summary>
    private int Value(IReadOnlyList<ReceiptInput> receipts, IncomeOutcome[] outcomes, Pending[] pending, Lookup<PricedClose>[] prices)
    {
        _chunkFirstNew = _pricings.Count;
        // per chunk, per distinct key: the pricing's stream-wide index (value equality across chunks)
        var keyPricing = new int[prices.Length];
        Array.Fill(keyPricing, -1);
        int errors = 0;
        for (int i = 0; i < outcomes.Length; i++)
        {
            int key = pending[i].Key;
            if (key < 0)
            {
                errors++;
                continue;
            }

            var price = prices[key];
            if (price.Value is not { } priced)
            {
                outcomes[i] = IncomeOutcome.Failed(price.Error! with { Field = price.Error!.Field == "date" ? "received_at" : price.Error.Field });
                errors++;
                continue;
            }

            var r = receipts[i];
            var receipt = new MiningReceipt(r.Id, r.ReceivedAt!.Value, r.Asset, pending[i].Amount);
            var result = IncomeRecognizer.Recognize(receipt, priced.Close.Close, priced.Rate?.Rate, Policy.Domain);
            if (!result.TryGetValue(out var income, out var recognitionError))
            {
                outcomes[i] = IncomeOutcome.Failed(recognitionError!);
                errors++;
                continue;
            }

            int index = keyPricing[key];
            if (index < 0)
            {
                if (!_pricingIndex.TryGetValue(priced, out index))
                {
                    index = _pricings.Count;
                    _pricingIndex[priced] = index;
                    _pricings.Add(priced);
                }

                keyPricing[key] = index;
            }

            _totals.Add(income);
            outcomes[i] = new IncomeOutcome(income.IncomeDate, income.IncomeRub, index, null);
        }

        return errors;
    }

    /// <summary>A small per-chunk number for an asset code (a call names a handful of assets).</summary>
    private int AssetSlot(string asset)
    {
        for (int s = 0; s < _assets.Count; s++)
        {
            if (string.Equals(_assets[s], asset, StringComparison.Ordinal))
            {
                return s;
            }
        }

        _assets.Add(asset);
        return _assets.Count - 1;
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

    /// <summary>Pass 1's findings for one receipt: its parsed amount and distinct price key (-1: invalid).</summary>
    private readonly record struct Pending(decimal Amount, int Key);

    private static string Short(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
