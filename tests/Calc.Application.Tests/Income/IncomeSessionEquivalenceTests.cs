using System.Globalization;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Application.Tests.Income;

/// <summary>
/// The optimised <see cref="IncomeSession"/> (pass-1 date cache, per-day checks, slot totals, pooled tables)
/// against a straightforward reference written from the spec: per receipt a zone conversion
/// (<see cref="TimeZoneInfo.ConvertTimeFromUtc"/>), one pricing lookup, round2(amount × close × rate) half away
/// from zero, provenance numbered by first use, and monthly totals summed in receipt order. Outcomes, errors
/// (code, reason, message, field), provenance tables and totals must be identical, decimals to the bit (scale too).
/// </summary>
public sealed class IncomeSessionEquivalenceTests
{
    /// <summary>A venue without a client, declared as an operator would (MarketData:ExtraVenues).</summary>
    private const string Venue = "testx";
    /// <summary>Data windows around the 2025 DST changes of London (30.03, 26.10) and New York (09.03, 02.11).</summary>
    private static readonly (DateOnly From, DateOnly To)[] Windows =
        [(new DateOnly(2025, 3, 1), new DateOnly(2025, 4, 5)), (new DateOnly(2025, 10, 20), new DateOnly(2025, 11, 8))];

    private static readonly RuleSet Rules = RuleSetLoader.LoadEmbedded();
    private static readonly ValuationOptions Options = new();
    private static readonly Pricer SharedPricer = new(Build.Tiered(new ManualTime(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero)), Store(), registry: new VenueRegistry([Venue])));
    private static readonly IncomeRecognition Recognition = new(SharedPricer, Rules, Options);

    private static MarketDataStore Store()
    {
        var store = new MarketDataStore();
        var closes = new List<DailyClose>();
        var rates = new List<CbrRate>();
        foreach (var (from, to) in Windows)
        {
            for (var d = from; d <= to; d = d.AddDays(1))
            {
                int n = d.DayNumber % 1000;
                closes.Add(new DailyClose(Venue, new AssetPair("BTC", "USD"), d, 84_000.12m + (n * 13.37m), true));
                closes.Add(new DailyClose(Venue, new AssetPair("BTC", "USDT"), d, 84_123.45678901m + (n * 7.3m), true));
                closes.Add(new DailyClose(Venue, new AssetPair("BTC", "RUB"), d, 7_000_000.5m + n, true));
                closes.Add(new DailyClose(Venue, new AssetPair("BTC", "JPY"), d, 12_900_000m + (n * 111), true));
                if (d.DayNumber % 7 != 0)
                {
                    // ETH misses one day in seven: PRICE_NOT_FOUND for its receipts that day
                    closes.Add(new DailyClose(Venue, new AssetPair("ETH", "USD"), d, 2_012.3456m + n, true));
                    closes.Add(new DailyClose(Venue, new AssetPair("ETH", "USDT"), d, 2_011.99m + n, true));
                    closes.Add(new DailyClose(Venue, new AssetPair("ETH", "RUB"), d, 170_000.25m + n, true));
                }

                // 1e9 coins x 9e19 x rate overflows decimal
                closes.Add(new DailyClose(Venue, new AssetPair("HUGE", "USD"), d, 90_000_000_000_000_000_000m, true));
                closes.Add(new DailyClose(Venue, new AssetPair("HUGE", "RUB"), d, 90_000_000_000_000_000_000m, true));
                if (d.DayOfWeek is not DayOfWeek.Sunday and not DayOfWeek.Monday)
                {
                    rates.Add(new CbrRate("USD", d, 1, 81.1234m + (n % 50 * 0.0137m)));
                    rates.Add(new CbrRate("JPY", d, 100, 55.4321m + (n % 40 * 0.0113m)));
                }
            }
        }

        store.ImportCloses(closes, overwrite: false);
        store.ImportCbrRates(rates, overwrite: false);
        return store;
    }

    private static Gen<PolicyInput> Policies() =>
        from zone in Gen.Elements("Europe/Moscow", "Europe/London", "America/New_York")
        from quote in Gen.Elements("USD", "USDT", "RUB", "JPY")
        from usdt in Gen.Elements(UsdtPolicy.TreatAsUsd, UsdtPolicy.Reject)
        // kraken: a venue Calc knows (it has a client) of which nothing is held here; an unknown venue fails Begin
        from venue in Gen.Frequency((9, Gen.Constant(Venue)), (1, Gen.Constant("kraken")))
        select new PolicyInput(venue, quote, zone, false, usdt);

    private static Gen<DateTimeOffset?> Instants()
    {
        var days = Windows.SelectMany(w => Enumerable.Range(-1, w.To.DayNumber - w.From.DayNumber + 3).Select(i => w.From.AddDays(i))).ToArray();
        // UTC hours at which a local midnight falls in the three zones, winter and summer, with tick jitter
        var nearMidnight = from day in Gen.Elements(days)
                           from hour in Gen.Elements(20, 21, 22, 23, 0, 1, 3, 4, 5, 6)
                           from jitter in Gen.Elements(0L, -1L, 1L, -TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute)
                           select new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero).AddTicks(jitter);
        var anyTime = from day in Gen.Elements(days) from second in Gen.Choose(0, 86_399)
                      select new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(second);
        var instant = from t in Gen.OneOf(nearMidnight, anyTime) from shown in Gen.Elements(0, 0, 3, -5, 14)
                      select (DateTimeOffset?)t.ToOffset(TimeSpan.FromHours(shown));
        return Gen.Frequency((19, instant), (1, Gen.Constant<DateTimeOffset?>(null)));
    }

    private static Gen<string> Amounts()
    {
        var digits = Gen.Elements("0123456789".ToCharArray());
        var payout = from units in Gen.Choose(1, 10_999_999) select (units / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture);
        var midpoint = from whole in Gen.Choose(0, 50) from k in Gen.Choose(0, 999) select $"{whole}.{k:000}5";
        var manyDecimals = from whole in Gen.Choose(0, 3) from n in Gen.Choose(10, 27) from cs in Gen.ArrayOf(digits, n)
                           select whole.ToString(CultureInfo.InvariantCulture) + "." + new string(cs);
        var bad = Gen.Elements("0", "0.00", "-1", "-0.5", "1e3", "abc", "", " 1", "1,5", "2000000000", "1000000000", "1000000000.0000000001",
            "999999999.99999999999999999999", "000000000000000000000000000000.5");
        return Gen.Frequency((6, payout), (2, midpoint), (2, manyDecimals), (2, bad));
    }

    private static Gen<ReceiptInput> Receipts() =>
        from id in Gen.Frequency((8, Gen.Choose(0, 40).Select(i => "r" + i.ToString(CultureInfo.InvariantCulture))), (1, Gen.Constant("")),
            (1, Gen.Constant(new string('x', 257))))
        from at in Instants()
        from asset in Gen.Frequency((6, Gen.Elements("BTC", "ETH")), (1, Gen.Elements("HUGE", "DOGE", "btc", "B", "", "TOOLONGASSET1", "B-C")))
        from amount in Amounts()
        from wallet in Gen.Elements<string?>(null, "bc1qwallet1", "bc1qwallet2")
        from pool in Gen.Elements<string?>(null, null, "ViaBTC", "F2Pool")
        from tx in Gen.Frequency((3, Gen.Choose(0, 1_000_000).Select(n => (string?)("tx" + n.ToString(CultureInfo.InvariantCulture)))), (1, Gen.Constant<string?>(null)))
        from operation in Gen.Frequency((6, Gen.Constant(MiningOperation.Unspecified)), (2, Gen.Elements(MiningOperation.CreditedToWallet, MiningOperation.KeptOnPool)),
            (1, Gen.Constant((MiningOperation)7)))
        select new ReceiptInput(id, at, asset, amount, wallet, tx, pool, operation);

    [Fact]
    public void RecognizeAsync_GeneratedStreams_IdenticalToReference()
    {
        var streams = from policy in Policies()
                      from chunks in Gen.Choose(1, 3)
                      from receipts in Gen.ArrayOf(Gen.NonEmptyListOf(Receipts()).Select(l => l.ToArray()), chunks)
                      from pooled in Gen.Elements(true, false)
                      select (Policy: policy, Chunks: receipts, Pooled: pooled);

        Prop.ForAll(streams.ToArbitrary(), s =>
        {
            Compare(s.Policy, s.Chunks, s.Pooled);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void RecognizeAsync_TenThousandReceiptBatch_IdenticalToReference()
    {
        // Arrange: a unary batch at the limit, every zone, the month boundary and both DST changes of 2025
        var random = new Random(20251026);
        var days = Windows.SelectMany(w => Enumerable.Range(0, w.To.DayNumber - w.From.DayNumber + 1).Select(i => w.From.AddDays(i))).ToArray();
        foreach (string zone in new[] { "Europe/Moscow", "Europe/London", "America/New_York" })
        {
            var receipts = new ReceiptInput[Options.MaxBatchItems];
            for (int i = 0; i < receipts.Length; i++)
            {
                var at = new DateTimeOffset(days[random.Next(days.Length)].ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(random.Next(86_400));
                string amount = (random.Next(1, 100_000_000) / 100_000_000m).ToString(CultureInfo.InvariantCulture);
                receipts[i] = new ReceiptInput("id" + random.Next(receipts.Length * 4), at, random.Next(10) == 0 ? "ETH" : "BTC", amount);
            }

            // Act + Assert
            Compare(new PolicyInput(Venue, "USD", zone, false, null), [receipts]);
        }
    }

    [Fact]
    public void RecognizeAsync_ConcurrentStreams_EachIdenticalToReference()
    {
        // Arrange: eight two-chunk streams with their own receipts, run at once over the shared table pool
        var streams = Enumerable.Range(0, 8).Select(s =>
        {
            var random = new Random(s);
            return Enumerable.Range(0, 2).Select(c => Enumerable.Range(0, 1_500).Select(i => new ReceiptInput(
                $"s{s}-{random.Next(3_000)}",
                new DateTimeOffset(2025, 3, 1 + random.Next(31), 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(86_400)),
                random.Next(4) == 0 ? "ETH" : "BTC",
                (random.Next(1, 1_000_000) / 100_000_000m).ToString(CultureInfo.InvariantCulture))).ToArray()).ToArray();
        }).ToArray();

        // Act + Assert: a table shared between two live chunks would mix their ids and keys
        Parallel.For(0, streams.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            s => Compare(new PolicyInput(Venue, s % 2 == 0 ? "USD" : "USDT", s % 3 == 0 ? "Europe/London" : "Europe/Moscow", false, null), streams[s]));
    }

    [Fact]
    public async Task RecognizeAsync_MidpointAmount_RoundsHalfAwayFromZero()
    {
        // Arrange: 0.01 BTC x a RUB close of 7 000 000.5 + n is exactly half a kopeck; pick a March day whose kopeck
        // digit is even, where half-to-even would round down
        var day = Enumerable.Range(1, 31).Select(d => new DateOnly(2025, 3, d)).First(d => d.DayNumber % 1000 % 2 == 0);
        decimal value = 0.01m * (7_000_000.5m + (day.DayNumber % 1000));
        var session = Recognition.Begin(new PolicyInput(Venue, "RUB", "Europe/Moscow", false, null));
        var receipt = new ReceiptInput("m", new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero), "BTC", "0.01");

        // Act
        var chunk = await session.RecognizeAsync([receipt], CancellationToken.None);

        // Assert: up by half a kopeck, not to even
        var outcome = Assert.Single(chunk.Outcomes);
        Assert.Null(outcome.Error);
        Assert.Equal(day, outcome.IncomeDate);
        Assert.Equal(value + 0.005m, outcome.IncomeRub);
        Assert.NotEqual(decimal.Round(value, 2, MidpointRounding.ToEven), outcome.IncomeRub);
    }

    [Theory]
    [InlineData("9999-12-31T23:00:00+00:00", "Europe/Moscow", true)] // already year 10000 in Moscow
    [InlineData("0001-01-01T02:00:00+00:00", "America/New_York", true)] // still year 0 in New York
    [InlineData("9999-12-31T20:59:59+00:00", "Europe/Moscow", false)] // 23:59:59 on 9999-12-31 there: a date (no price)
    [InlineData("9999-12-31T23:00:00+00:00", "UTC", false)]
    public async Task RecognizeAsync_InstantAtTheEndsOfTheCalendar_ExplicitErrorNeverACrash(string instant, string zone, bool outsideCalendar)
    {
        var session = Recognition.Begin(new PolicyInput(Venue, "USD", zone, false, null));
        var receipt = new ReceiptInput("edge", DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture), "BTC", "1");

        var chunk = await session.RecognizeAsync([receipt], CancellationToken.None);

        var error = Assert.Single(chunk.Outcomes).Error;
        Assert.NotNull(error);
        Assert.Equal("received_at", error.Field);
        Assert.Equal(outsideCalendar, error.Reason == Reasons.InvalidTimestamp);
        Assert.Equal(1, chunk.ErrorCount);
    }

    /// <param name="pooled">Through <see cref="IncomeRecognition.Begin"/> (tables shared between calls), else a session that owns its tables.</param>
    private static void Compare(PolicyInput policy, ReceiptInput[][] chunks, bool pooled = true)
    {
        var session = pooled ? Recognition.Begin(policy) : new IncomeSession(SharedPricer, Rules, ResolvedPolicy.Resolve(policy, Options));
        var reference = new ReferenceSession(ResolvedPolicy.Resolve(policy, Options));
        for (int c = 0; c < chunks.Length; c++)
        {
            var actual = session.RecognizeAsync(chunks[c], CancellationToken.None).AsTask().GetAwaiter().GetResult();
            var expected = reference.Recognize(chunks[c]);
            Assert.Equal(expected.Outcomes.Length, actual.Outcomes.Length);
            for (int i = 0; i < expected.Outcomes.Length; i++)
            {
                var (e, a) = (expected.Outcomes[i], actual.Outcomes[i]);
                if (e != a || !SameBits(e.IncomeRub, a.IncomeRub))
                {
                    Assert.Fail($"{policy} chunk {c} receipt {i} {chunks[c][i]}: expected {e}, got {a}");
                }
            }

            Assert.Equal(expected.Pricings, actual.Pricings);
            Assert.Equal(expected.FirstNewPricing, actual.FirstNewPricing);
            Assert.Equal(expected.ErrorCount, actual.ErrorCount);
        }

        var totals = session.Totals();
        var expectedTotals = reference.Totals();
        Assert.Equal(expectedTotals, totals);
        Assert.All(expectedTotals.Zip(totals), p => Assert.True(SameBits(p.First.Amount, p.Second.Amount) && SameBits(p.First.IncomeRub, p.Second.IncomeRub)));
        Assert.Equal((reference.ReceiptCount, reference.ErrorCount), (session.ReceiptCount, session.ErrorCount));

        var lines = session.ReportLines();
        var expectedLines = reference.ReportLines();
        Assert.Equal(expectedLines.Select(Flat), lines.Select(Flat));
        Assert.All(expectedLines.Zip(lines), p => Assert.True(SameBits(p.First.Amount, p.Second.Amount) && SameBits(p.First.IncomeRub, p.Second.IncomeRub)));
        Assert.False(session.ReportLinesIncomplete);
    }

    private static string Flat(MonthlyReportLine l) =>
        $"{l.Year}-{l.Month} {l.Asset} {l.Operation} '{l.Identifier}' {l.Amount} {l.ReceiptCount} {l.IncomeRub} [{string.Join(",", l.TxIds)}] {l.TxIdCount} {l.TxIdsTruncated} {l.ReportDueDate} {l.DueDateError?.Reason}";

    private static bool SameBits(decimal a, decimal b) => decimal.GetBits(a).AsSpan().SequenceEqual(decimal.GetBits(b));

    /// <summary>The reference: one receipt at a time, nothing cached, nothing batched.</summary>
    private sealed class ReferenceSession(ResolvedPolicy policy)
    {
        private readonly Dictionary<PricedClose, int> _provenance = [];
        private readonly List<PricedClose> _pricings = [];
        private readonly Dictionary<(int Year, int Month, string Asset), (decimal Amount, decimal Rub, int Count)> _totals = [];
        private readonly Dictionary<(int Year, int Month, string Asset, MiningOperation Op, string Id), (decimal Amount, decimal Rub, int Count, List<string> Tx)> _lines = [];

        /// <summary>The report's rule written out: stated type, else pool named = kept on the pool; identifier pool or wallet.</summary>
        public IReadOnlyList<MonthlyReportLine> ReportLines() =>
            [.. _lines.OrderBy(t => t.Key.Year).ThenBy(t => t.Key.Month).ThenBy(t => t.Key.Asset, StringComparer.Ordinal).ThenBy(t => t.Key.Op)
                .ThenBy(t => t.Key.Id, StringComparer.Ordinal).Select(t =>
            {
                var statutory = new DateOnly(t.Key.Month == 12 ? t.Key.Year + 1 : t.Key.Year, (t.Key.Month % 12) + 1, 20);
                var due = Rules.Calendar.NextWorkingDayOnOrAfter(statutory);
                return new MonthlyReportLine(t.Key.Year, t.Key.Month, t.Key.Asset, t.Key.Op, t.Key.Id, t.Value.Amount, t.Value.Count, t.Value.Rub,
                    t.Value.Tx, t.Value.Tx.Count, false, statutory, due.IsSuccess ? due.Value : null, due.Error);
            })];

        public long ReceiptCount { get; private set; }

        public long ErrorCount { get; private set; }

        public IncomeChunk Recognize(ReceiptInput[] receipts)
        {
            int firstNew = _pricings.Count;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var outcomes = new IncomeOutcome[receipts.Length];
            int errors = 0;
            for (int i = 0; i < receipts.Length; i++)
            {
                outcomes[i] = One(receipts[i], seen);
                errors += outcomes[i].Ok ? 0 : 1;
            }

            ReceiptCount += receipts.Length;
            ErrorCount += errors;
            return new IncomeChunk(outcomes, _pricings.GetRange(firstNew, _pricings.Count - firstNew), firstNew, errors);
        }

        public IReadOnlyList<MonthlyTotal> Totals() =>
            [.. _totals.OrderBy(t => t.Key.Year).ThenBy(t => t.Key.Month).ThenBy(t => t.Key.Asset, StringComparer.Ordinal).Select(t =>
            {
                var statutory = new DateOnly(t.Key.Month == 12 ? t.Key.Year + 1 : t.Key.Year, (t.Key.Month % 12) + 1, 20);
                var due = Rules.Calendar.NextWorkingDayOnOrAfter(statutory);
                return new MonthlyTotal(t.Key.Year, t.Key.Month, t.Key.Asset, t.Value.Amount, t.Value.Rub, t.Value.Count, statutory,
                    due.IsSuccess ? due.Value : null, due.Error);
            })];

        private IncomeOutcome One(ReceiptInput r, HashSet<string> seen)
        {
            if (r.Id.Length > 0 && !seen.Add(r.Id))
            {
                return Failed(Reasons.DuplicateId, "id", $"receipt id '{(r.Id.Length <= 64 ? r.Id : r.Id[..64] + "…")}' appears more than once in this request");
            }

            if (r.Id.Length > 256)
            {
                return Failed(Reasons.InvalidField, "id", "id is longer than 256 characters");
            }

            if (r.ReceivedAt is not { } at)
            {
                return Failed(Reasons.MissingField, "received_at", "received_at is required (when the right to dispose of the coins arose)");
            }

            if (Inputs.AssetCode(r.Asset, "asset") is { } badAsset)
            {
                return IncomeOutcome.Failed(badAsset);
            }

            if ((int)r.Operation is < 0 or > 2)
            {
                return Failed(Reasons.InvalidEnum, "operation_type", $"operation_type {(int)r.Operation} is not a known value");
            }

            if ((Inputs.Decimal(r.Amount, "amount", out decimal amount) ?? Inputs.Positive(amount, "amount")) is { } badAmount)
            {
                return IncomeOutcome.Failed(badAmount);
            }

            var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(at.UtcDateTime, policy.Domain.Zone));
            var lookup = SharedPricer.PriceAsync(new PriceKey(policy.Venue, new AssetPair(r.Asset, policy.QuoteCurrency), date), policy, CancellationToken.None)
                .AsTask().GetAwaiter().GetResult();
            if (lookup.Value is not { } priced)
            {
                return IncomeOutcome.Failed(lookup.Error! with { Field = lookup.Error!.Field == "date" ? "received_at" : lookup.Error.Field });
            }

            if (amount <= 0m || amount > 1_000_000_000m)
            {
                return Failed(Reasons.InvalidAmount, "amount", "amount must be > 0 and <= 1000000000");
            }

            var rate = priced.Rate?.Rate;
            decimal unitRate = rate is null ? 1m : rate.Value / rate.Nominal;
            decimal rub;
            try
            {
                rub = decimal.Round(amount * priced.Close.Close.Close * unitRate, 2, MidpointRounding.AwayFromZero);
            }
            catch (OverflowException)
            {
                return Failed(Reasons.InvalidAmount, "amount", "amount x close x rate exceeds the decimal range");
            }

            if (!_provenance.TryGetValue(priced, out int index))
            {
                index = _pricings.Count;
                _provenance[priced] = index;
                _pricings.Add(priced);
            }

            var key = (date.Year, date.Month, r.Asset);
            _totals.TryGetValue(key, out var t);
            _totals[key] = (t.Amount + amount, t.Rub + rub, t.Count + 1);
            var op = r.Operation != MiningOperation.Unspecified ? r.Operation : string.IsNullOrEmpty(r.Pool) ? MiningOperation.CreditedToWallet : MiningOperation.KeptOnPool;
            string id = op == MiningOperation.KeptOnPool ? (string.IsNullOrEmpty(r.Pool) ? r.WalletAddress ?? "" : r.Pool) : r.WalletAddress ?? "";
            var lineKey = (date.Year, date.Month, r.Asset, op, id);
            if (!_lines.TryGetValue(lineKey, out var line))
            {
                line = (0m, 0m, 0, []);
            }

            if (!string.IsNullOrEmpty(r.TxId))
            {
                line.Tx.Add(r.TxId);
            }

            _lines[lineKey] = (line.Amount + amount, line.Rub + rub, line.Count + 1, line.Tx);
            return new IncomeOutcome(date, rub, index, null);
        }

        private static IncomeOutcome Failed(string reason, string field, string message) => IncomeOutcome.Failed(CalcError.Invalid(reason, field, message));
    }
}
