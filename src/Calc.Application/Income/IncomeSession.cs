using System.Buffers;
using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;

namespace Calc.Application.Income;

/// <summary>
/// Income recognition for one call: a unary batch is one chunk, a month-end stream many. The session keeps
/// what must outlive a chunk — the monthly totals, the stream-wide provenance table and the zone's offsets per
/// day — and nothing per receipt, so memory is bounded whatever the stream length. Not thread-safe: one
/// session per call.
/// </summary>
/// <remarks>
/// Per receipt the work is validation, the income date (<see cref="IncomeDateCache"/>) and, once prices are
/// known, the amount check and round2(amount × close × rate); every check that depends only on the asset and
/// the income date (<see cref="IncomeRecognizer.PriceDay"/>) and the monthly-total slot are done once per
/// distinct (asset, day) of the chunk.
/// </remarks>
public sealed class IncomeSession
{
    private readonly Pricer _pricer;
    private readonly RuleSet _rules;
    private readonly IncomeScratchPool? _pool;
    private readonly MonthlyTotalsBuilder _totals = new();
    private readonly MonthlyReportBuilder _report = new();
    private readonly IncomeDateCache _dates;
    // stream-wide: value equality, consulted once per distinct pricing of a chunk
    private readonly Dictionary<PricedClose, int> _pricingIndex = [];
    private readonly List<PricedClose> _pricings = [];
    private IncomeScratch? _ownScratch;
    private int _chunkFirstNew;

    public IncomeSession(Pricer pricer, RuleSet rules, ResolvedPolicy policy)
        : this(pricer, rules, policy, null)
    {
    }

    internal IncomeSession(Pricer pricer, RuleSet rules, ResolvedPolicy policy, IncomeScratchPool? pool)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _pricer = pricer;
        _rules = rules;
        _pool = pool;
        Policy = policy;
        _dates = new IncomeDateCache(policy.Domain.Zone);
    }

    public ResolvedPolicy Policy { get; }

    public string RulesVersion => _rules.Version;

    public long ReceiptCount { get; private set; }

    public long ErrorCount { get; private set; }

    /// <summary>
    /// Values a chunk; every receipt gets an outcome, in order. Only market-data outages may throw.
    /// <paramref name="receipts"/> is read once per receipt, so it may be a cheap view over the caller's
    /// messages rather than a copy.
    /// </summary>
    public async ValueTask<IncomeChunk> RecognizeAsync(IReadOnlyList<ReceiptInput> receipts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        int n = receipts.Count;
        var outcomes = new IncomeOutcome[n];
        var pending = ArrayPool<Pending>.Shared.Rent(n);
        var scratch = _pool?.Rent() ?? (_ownScratch ??= new IncomeScratch());
        Lookup<PricedClose>[]? prices = null;
        try
        {
            var keys = scratch.Keys;
            FindPriceKeys(receipts, outcomes, pending, scratch);

            // pass 2: one batch lookup of every distinct (asset, day) close and (currency, day) rate
            prices = ArrayPool<Lookup<PricedClose>>.Shared.Rent(keys.Count);
            if (keys.Count > 0)
            {
                await _pricer.PriceManyAsync(keys, Policy, prices, cancellationToken).ConfigureAwait(false);
            }

            int errors = Value(outcomes, pending, keys, prices);
            ReceiptCount += n;
            ErrorCount += errors;
            int firstNew = _chunkFirstNew;
            return new IncomeChunk(outcomes, _pricings.GetRange(firstNew, _pricings.Count - firstNew), firstNew, errors);
        }
        finally
        {
            ArrayPool<Pending>.Shared.Return(pending);
            if (prices is not null)
            {
                ArrayPool<Lookup<PricedClose>>.Shared.Return(prices, clearArray: true);
            }

            scratch.Clear();
            _pool?.Return(scratch, n);
        }
    }

    /// <summary>
    /// Pass 1 (no I/O): validates each receipt, finds its income date and the index of its distinct (asset, day).
    /// Venue and quote are the policy's, so the pricer sees one key per (asset, day), not one per receipt.
    /// </summary>
    private void FindPriceKeys(IReadOnlyList<ReceiptInput> receipts, IncomeOutcome[] outcomes, Pending[] pending, IncomeScratch scratch)
    {
        var keys = scratch.Keys;
        scratch.SeenIds.EnsureCapacity(receipts.Count);
        int lastKey = -1, lastLine = -1;
        var lastOperation = MiningOperation.Unspecified;
        string? lastIdentifier = null;
        for (int i = 0; i < receipts.Count; i++)
        {
            var r = receipts[i];
            var error = Validate(r, scratch, out decimal amount, out int assetSlot);
            if (error is not null)
            {
                outcomes[i] = IncomeOutcome.Failed(error);
                pending[i] = new Pending(0m, -1, -1, null);
                continue;
            }

            if (!_dates.TryOf(r.ReceivedAt!.Value, out var date))
            {
                outcomes[i] = IncomeOutcome.Failed(CalcError.Invalid(Reasons.InvalidTimestamp, "received_at",
                    $"received_at has no calendar date in {_dates.Zone.Id}: it falls outside 0001-01-01 to 9999-12-31 there"));
                pending[i] = new Pending(0m, -1, -1, null);
                continue;
            }

            long slotAndDay = ((long)assetSlot << 32) | (uint)date.DayNumber;
            if (!scratch.KeyIndex.TryGetValue(slotAndDay, out int key))
            {
                key = keys.Count;
                scratch.KeyIndex[slotAndDay] = key;
                keys.Add(new PriceKey(Policy.Venue, new AssetPair(scratch.Assets[assetSlot], Policy.QuoteCurrency), date));
            }

            // the report line: looked up again only when the key changes (receipts come grouped by address)
            var operation = MiningOperations.Of(r.Operation, r.Pool);
            string identifier = MiningOperations.Identifier(operation, r.WalletAddress, r.Pool);
            if (key != lastKey || operation != lastOperation || !ReferenceEquals(identifier, lastIdentifier))
            {
                var k = keys[key];
                lastLine = _report.Slot(k.Date.Year, k.Date.Month, k.Pair.Base, operation, identifier);
                lastKey = key;
                lastOperation = operation;
                lastIdentifier = identifier;
            }

            pending[i] = new Pending(amount, key, lastLine, r.TxId);
        }
    }

    /// <summary>Pass 3: values each receipt (domain: kopecks, half away from zero) and adds it to the totals; the error count.</summary>
    private int Value(IncomeOutcome[] outcomes, Pending[] pending, List<PriceKey> keys, Lookup<PricedClose>[] prices)
    {
        _chunkFirstNew = _pricings.Count;
        // per chunk, per distinct key: the checked day, or its error, resolved at the key's first valid receipt
        var days = ArrayPool<DayState>.Shared.Rent(keys.Count);
        Array.Clear(days, 0, keys.Count);
        try
        {
            return Value(outcomes, pending, keys, prices, days);
        }
        finally
        {
            ArrayPool<DayState>.Shared.Return(days, clearArray: true);
        }
    }

    private int Value(IncomeOutcome[] outcomes, Pending[] pending, List<PriceKey> keys, Lookup<PricedClose>[] prices, DayState[] days)
    {
        int errors = 0;
        for (int i = 0; i < outcomes.Length; i++)
        {
            int key = pending[i].Key;
            if (key < 0)
            {
                errors++;
                continue;
            }

            ref var day = ref days[key];
            if (!day.Resolved)
            {
                day = Resolve(keys[key], prices[key]);
            }

            if (day.PriceError is not null)
            {
                outcomes[i] = IncomeOutcome.Failed(day.PriceError);
                errors++;
                continue;
            }

            decimal amount = pending[i].Amount;
            // precedence as in IncomeRecognizer.Recognize: amount, then the day's checks, then the product's range
            decimal rub = 0m;
            var error = IncomeRecognizer.CheckAmount(amount) ?? day.DayError;
            if (error is null)
            {
                _ = IncomeRecognizer.ValueRub(amount, day.Pricing).TryGetValue(out rub, out error);
            }

            if (error is not null)
            {
                outcomes[i] = IncomeOutcome.Failed(error);
                errors++;
                continue;
            }

            if (day.PricingIndex < 0)
            {
                day.PricingIndex = PricingIndex(day.Priced!);
                day.TotalsSlot = _totals.Slot(keys[key].Date.Year, keys[key].Date.Month, keys[key].Pair.Base);
            }

            _totals.Add(day.TotalsSlot, amount, rub);
            _report.Add(pending[i].Line, amount, rub, pending[i].TxId);
            outcomes[i] = new IncomeOutcome(keys[key].Date, rub, day.PricingIndex, null);
        }

        return errors;
    }

    /// <summary>The day's pricing checked once for all its receipts (the lookup's error, or the domain's).</summary>
    private DayState Resolve(PriceKey key, Lookup<PricedClose> price)
    {
        if (price.Value is not { } priced)
        {
            var error = price.Error!;
            return new DayState(true, error with { Field = error.Field == "date" ? "received_at" : error.Field }, null, null, default);
        }

        return IncomeRecognizer.PriceDay(key.Pair.Base, key.Date, priced.Close.Close, priced.Rate?.Rate, Policy.Domain).TryGetValue(out var pricing, out var dayError)
            ? new DayState(true, null, null, priced, pricing)
            : new DayState(true, null, dayError, priced, default);
    }

    /// <summary>The stream-wide index of <paramref name="priced"/> (value equality), added when new.</summary>
    private int PricingIndex(PricedClose priced)
    {
        if (!_pricingIndex.TryGetValue(priced, out int index))
        {
            index = _pricings.Count;
            _pricingIndex[priced] = index;
            _pricings.Add(priced);
        }

        return index;
    }

    /// <summary>Monthly totals of everything recognised so far, with the report due dates.</summary>
    public IReadOnlyList<MonthlyTotal> Totals() => _totals.Build(_rules.Calendar);

    /// <summary>The monthly report's lines of everything recognised so far (see <see cref="MonthlyReportBuilder"/>).</summary>
    public IReadOnlyList<MonthlyReportLine> ReportLines() => _report.Build(_rules.Calendar);

    /// <summary>True when some recognised receipts are not in <see cref="ReportLines"/> (more than <see cref="MonthlyReportBuilder.MaxLines"/> lines).</summary>
    public bool ReportLinesIncomplete => _report.Incomplete;

    private static CalcError? Validate(in ReceiptInput r, IncomeScratch scratch, out decimal amount, out int assetSlot)
    {
        amount = 0m;
        assetSlot = -1;
        if (r.Id.Length > 0 && !scratch.SeenIds.Add(r.Id))
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

        assetSlot = AssetSlot(r.Asset, scratch);
        if (assetSlot < 0)
        {
            return Inputs.AssetCode(r.Asset, "asset");
        }

        if (!MiningOperations.IsDefined(r.Operation))
        {
            return CalcError.Invalid(Reasons.InvalidEnum, "operation_type", $"operation_type {(int)r.Operation} is not a known value");
        }

        // decimal.Sign is Inputs.Positive's test without a decimal comparison; the error text stays its own
        return Inputs.Decimal(r.Amount, "amount", out amount)
            ?? (decimal.Sign(amount) > 0 ? null : Inputs.Positive(amount, "amount"));
    }

    /// <summary>
    /// The chunk's slot of a valid asset code, added on first sight; -1 when the code is not valid. A code equal
    /// to one already accepted is not checked again (a call names a handful of assets).
    /// </summary>
    private static int AssetSlot(string asset, IncomeScratch scratch)
    {
        var assets = scratch.Assets;
        int linear = Math.Min(assets.Count, IncomeScratch.LinearAssets);
        for (int s = 0; s < linear; s++)
        {
            if (string.Equals(assets[s], asset, StringComparison.Ordinal))
            {
                return s;
            }
        }

        if (assets.Count > IncomeScratch.LinearAssets && asset is not null && scratch.AssetIndex.TryGetValue(asset, out int found))
        {
            return found;
        }

        if (Inputs.AssetCode(asset, "asset") is not null)
        {
            return -1;
        }

        assets.Add(asset!);
        if (assets.Count > IncomeScratch.LinearAssets)
        {
            scratch.AssetIndex[asset!] = assets.Count - 1;
        }

        return assets.Count - 1;
    }

    /// <summary>Pass 1's findings for one receipt: its parsed amount, distinct price key (-1: invalid), report line and tx id.</summary>
    private readonly record struct Pending(decimal Amount, int Key, int Line, string? TxId);

    /// <summary>
    /// What every receipt of one (asset, day) shares: the lookup's error, or the domain's day error, or the checked
    /// pricing; its provenance index and monthly-total slot once a receipt of the day has been valued (-1 before).
    /// </summary>
    private struct DayState(bool resolved, CalcError? priceError, CalcError? dayError, PricedClose? priced, DayPricing pricing)
    {
        public readonly bool Resolved = resolved;
        public readonly CalcError? PriceError = priceError;
        public readonly CalcError? DayError = dayError;
        public readonly PricedClose? Priced = priced;
        public readonly DayPricing Pricing = pricing;
        public int PricingIndex = -1;
        public int TotalsSlot = -1;
    }

    private static string Short(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
