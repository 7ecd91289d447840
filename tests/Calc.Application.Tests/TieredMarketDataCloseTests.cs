using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Tests;

public sealed class TieredMarketDataCloseTests
{
    private static readonly DateOnly Dec31 = new(2024, 12, 31);

    private static FakeExchange BinanceWithYearEnd(TimeProvider time)
    {
        var fake = new FakeExchange("binance", time);
        fake.Closes[(Build.BtcUsdt, new DateOnly(2024, 12, 29))] = 93738.2m;
        fake.Closes[(Build.BtcUsdt, new DateOnly(2024, 12, 30))] = 92792.05m;
        fake.Closes[(Build.BtcUsdt, Dec31)] = 93576.0m;
        fake.Closes[(Build.BtcUsdt, new DateOnly(2025, 1, 1))] = 94591.79m;
        return fake;
    }

    [Fact]
    public async Task GetCloseAsync_EmbeddedImportedClose_ReturnsItWithImportProvenance()
    {
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("binance", Build.BtcUsdt, Dec31, 93576.0m, true)], overwrite: false);
        var md = Build.Tiered(new ManualTime(Build.Utc(2026, 1, 10)), store);

        var found = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        Assert.True(found.Ok);
        Assert.Equal(93576.0m, found.Value!.Close.Close);
        Assert.Equal(QuoteSource.Import, found.Value.Source);
        Assert.True(found.Value.Close.IsFinal);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), found.Value.Close.CloseTime);
    }

    [Fact]
    public async Task GetCloseAsync_OverwrittenAfterARead_AnswersTheReplacement()
    {
        // 31.12 first imported with the 30.12 close by mistake, read, then corrected with overwrite
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("binance", Build.BtcUsdt, Dec31, 92792.05m, true)], overwrite: false);
        var md = Build.Tiered(new ManualTime(Build.Utc(2026, 1, 10)), store);
        var before = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);
        var cached = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        var report = store.ImportCloses([new DailyClose("binance", Build.BtcUsdt, Dec31, 93576.0m, true)], overwrite: true);
        var after = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        Assert.Equal((92792.05m, 92792.05m, 1), (before.Value!.Close.Close, cached.Value!.Close.Close, report.Replaced));
        Assert.Equal((93576.0m, QuoteSource.Import), (after.Value!.Close.Close, after.Value.Source));
    }

    [Fact]
    public async Task GetCloseAsync_EmbeddedMissingDay_IsPriceNotFoundNeverZero()
    {
        var md = Build.Tiered(new ManualTime(Build.Utc(2026, 1, 10)));

        var missing = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        Assert.False(missing.Ok);
        Assert.Null(missing.Value);
        Assert.Equal(Reasons.PriceNotFound, missing.Error!.Reason);
        Assert.Equal(ErrorCode.NotFound, missing.Error.Code);
    }

    [Fact]
    public async Task GetCloseAsync_FutureDay_IsDateOutOfRangeWithoutUpstreamCall()
    {
        var time = new ManualTime(Build.Utc(2025, 1, 1));
        var fake = BinanceWithYearEnd(time);
        var md = Build.Tiered(time, venues: [fake]);

        var future = await md.GetCloseAsync("binance", Build.BtcUsdt, new DateOnly(2025, 1, 2), CancellationToken.None);

        Assert.Equal(Reasons.DateOutOfRange, future.Error!.Reason);
        Assert.Equal(0, fake.Calls);
    }

    [Fact]
    public async Task GetCloseAsync_MissingVenueOrAsset_MissingFieldNotACrash()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var md = Build.Tiered(time, venues: [BinanceWithYearEnd(time)]);

        var noVenue = await md.GetCloseAsync(null!, Build.BtcUsdt, Dec31, CancellationToken.None);
        var noBase = await md.GetCloseAsync("binance", new AssetPair("", "USDT"), Dec31, CancellationToken.None);

        Assert.Equal((Reasons.MissingField, "venue"), (noVenue.Error!.Reason, noVenue.Error.Field));
        Assert.Equal((Reasons.MissingField, "pair"), (noBase.Error!.Reason, noBase.Error.Field));
    }

    [Fact]
    public async Task GetCloseAsync_ThousandConcurrentRequestsForOneMissingDay_OneUpstreamCall()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var fake = BinanceWithYearEnd(time);
        fake.Delay = TimeSpan.FromMilliseconds(150);
        var md = Build.Tiered(time, venues: [fake]);

        var all = await Task.WhenAll(Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(() => md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None).AsTask())));

        Assert.Equal(1, fake.Calls);
        Assert.All(all, r => Assert.Equal(93576.0m, r.Value!.Close.Close));
        Assert.Equal((new DateOnly(2024, 12, 1), Dec31), fake.Ranges.Select(r => (r.From, r.To)).Single());
    }

    [Fact]
    public async Task GetClosesAsync_ColdMonthEndBatch_OneUpstreamCallPerPairThenServedFromMemory()
    {
        var time = new ManualTime(Build.Utc(2025, 2, 3));
        var fake = new FakeExchange("binance", time);
        var eth = new AssetPair("ETH", "USDT");
        var keys = new List<CloseKey>();
        for (var d = new DateOnly(2025, 1, 1); d <= new DateOnly(2025, 1, 31); d = d.AddDays(1))
        {
            fake.Closes[(Build.BtcUsdt, d)] = 90000m + d.Day;
            fake.Closes[(eth, d)] = 3000m + d.Day;
            keys.Add(new CloseKey("binance", Build.BtcUsdt, d));
            keys.Add(new CloseKey("binance", eth, d));
        }

        var md = Build.Tiered(time, venues: [fake]);
        var results = new Lookup<CloseQuote>[keys.Count];

        await md.GetClosesAsync(keys, results, CancellationToken.None);

        Assert.Equal(2, fake.Calls);
        Assert.All(fake.Ranges, r => Assert.Equal((new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 31)), (r.From, r.To)));
        Assert.All(results, r => Assert.Equal(QuoteSource.Upstream, r.Value!.Source));
        Assert.Equal(90031m, results[60].Value!.Close.Close);
        Assert.Equal(3031m, results[61].Value!.Close.Close);

        await md.GetClosesAsync(keys, results, CancellationToken.None);

        Assert.Equal(2, fake.Calls);
        Assert.All(results, r => Assert.Equal(QuoteSource.Memory, r.Value!.Source));
    }

    [Fact]
    public async Task GetClosesAsync_WarmBatch_AllocatesNothingPerKey()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var fake = BinanceWithYearEnd(time);
        var md = Build.Tiered(time, venues: [fake]);
        var keys = Enumerable.Range(0, 10_000).Select(i => new CloseKey("binance", Build.BtcUsdt, new DateOnly(2024, 12, 29 + (i % 3)))).ToArray();
        var results = new Lookup<CloseQuote>[keys.Length];
        await md.GetClosesAsync(keys, results, CancellationToken.None);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var pending = md.GetClosesAsync(keys, results, CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.True(allocated < 1024, $"warm batch of 10,000 allocated {allocated} bytes");
        Assert.All(results, r => Assert.True(r.Ok));
    }

    [Fact]
    public async Task GetClosesAsync_ValueInSharedCache_ServedFromItWithoutUpstream()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var fake = BinanceWithYearEnd(time);
        var cache = new InMemoryQuoteCache();
        cache.Closes[new CloseKey("binance", Build.BtcUsdt, Dec31)] = new DailyClose("binance", Build.BtcUsdt, Dec31, 93576.0m, true);
        var md = Build.Tiered(time, cache: cache, venues: [fake]);

        var found = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);
        var again = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        Assert.Equal(QuoteSource.Redis, found.Value!.Source);
        Assert.Equal(QuoteSource.Memory, again.Value!.Source);
        Assert.Equal(0, fake.Calls);
        Assert.Equal(1, cache.Reads);
    }

    [Fact]
    public async Task GetCloseAsync_SharedCacheAnnouncesAChange_InProcessTierStartsAfreshAndReadsTheNewValue()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var cache = new InMemoryQuoteCache();
        var key = new CloseKey("binance", Build.BtcUsdt, Dec31);
        cache.Closes[key] = new DailyClose("binance", Build.BtcUsdt, Dec31, 93576.0m, true);
        var md = Build.Tiered(time, cache: cache);
        var learnt = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);
        var remembered = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        // another replica imports a correction: Redis holds the new value and the cache's change epoch moves
        cache.Closes[key] = new DailyClose("binance", Build.BtcUsdt, Dec31, 93600.5m, true);
        cache.ChangeEpoch++;
        var corrected = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        Assert.Equal((QuoteSource.Redis, 93576.0m), (learnt.Value!.Source, learnt.Value.Close.Close));
        Assert.Equal((QuoteSource.Memory, 93576.0m), (remembered.Value!.Source, remembered.Value.Close.Close));
        Assert.Equal((QuoteSource.Redis, 93600.5m), (corrected.Value!.Source, corrected.Value.Close.Close));
        Assert.Equal(2, cache.Reads);
    }

    [Fact]
    public async Task GetClosesAsync_UpstreamFetch_WritesOnlyFinalClosesToSharedCache()
    {
        var time = new ManualTime(Build.Utc(2025, 1, 1, 9));
        var fake = BinanceWithYearEnd(time);
        var cache = new InMemoryQuoteCache();
        var md = Build.Tiered(time, cache: cache, venues: [fake]);

        CloseKey[] keys = [new("binance", Build.BtcUsdt, Dec31), new("binance", Build.BtcUsdt, new DateOnly(2025, 1, 1))];
        var results = new Lookup<CloseQuote>[2];
        await md.GetClosesAsync(keys, results, CancellationToken.None);
        var today = results[1];

        Assert.True(results[0].Value!.Close.IsFinal);
        Assert.False(today.Value!.Close.IsFinal);
        Assert.Equal(94591.79m, today.Value.Close.Close);
        Assert.Equal(QuoteSource.Upstream, today.Value.Source);
        Assert.DoesNotContain(cache.Closes.Keys, k => k.Date == new DateOnly(2025, 1, 1));
        Assert.Equal([new DateOnly(2024, 12, 29), new DateOnly(2024, 12, 30), Dec31], cache.Closes.Keys.Select(k => k.Date).Order());
    }

    [Fact]
    public async Task GetCloseAsync_OpenDayThenDayCloses_ProvisionalUntilMidnightUtcThenFinal()
    {
        var time = new ManualTime(Build.Utc(2025, 1, 1, 23, 50));
        var fake = BinanceWithYearEnd(time);
        var md = Build.Tiered(time, venues: [fake]);
        var jan1 = new DateOnly(2025, 1, 1);

        var open = await md.GetCloseAsync("binance", Build.BtcUsdt, jan1, CancellationToken.None);
        var openAgain = await md.GetCloseAsync("binance", Build.BtcUsdt, jan1, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(15));
        var closed = await md.GetCloseAsync("binance", Build.BtcUsdt, jan1, CancellationToken.None);

        Assert.False(open.Value!.Close.IsFinal);
        Assert.Equal(open.Value, openAgain.Value);
        Assert.True(closed.Value!.Close.IsFinal);
        Assert.Equal(2, fake.Calls);
    }

    [Fact]
    public async Task GetCloseAsync_UpstreamHasNoCandle_NegativeCachedForTtlThenAskedAgain()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var fake = new FakeExchange("coinbase", time);
        var md = Build.Tiered(time, venues: [fake], configure: o => o.NegativeCacheTtl = TimeSpan.FromMinutes(5));

        var first = await md.GetCloseAsync("coinbase", Build.BtcUsd, Dec31, CancellationToken.None);
        var second = await md.GetCloseAsync("coinbase", Build.BtcUsd, Dec31, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(6));
        var third = await md.GetCloseAsync("coinbase", Build.BtcUsd, Dec31, CancellationToken.None);

        Assert.Equal(Reasons.PriceNotFound, first.Error!.Reason);
        Assert.Equal(Reasons.PriceNotFound, second.Error!.Reason);
        Assert.Equal(Reasons.PriceNotFound, third.Error!.Reason);
        Assert.Equal(2, fake.Calls);
    }

    [Fact]
    public async Task GetClosesAsync_UpstreamFails_PerItemErrorWithReasonAndNothingCached()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var fake = BinanceWithYearEnd(time);
        fake.Failure = () => new UpstreamException("binance", Reasons.UpstreamUnavailable, "binance: HTTP 500 Internal Server Error");
        var cache = new InMemoryQuoteCache();
        var md = Build.Tiered(time, cache: cache, venues: [fake], configure: o => o.FlightRetention = TimeSpan.Zero);
        CloseKey[] keys = [new("binance", Build.BtcUsdt, Dec31), new("binance", Build.BtcUsdt, new DateOnly(2024, 12, 30))];
        var results = new Lookup<CloseQuote>[2];

        await md.GetClosesAsync(keys, results, CancellationToken.None);
        Assert.Empty(cache.Closes);
        time.Advance(TimeSpan.FromSeconds(1));
        fake.Failure = null;
        var later = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None);

        Assert.All(results, r =>
        {
            Assert.Equal(Reasons.UpstreamUnavailable, r.Error!.Reason);
            Assert.Equal(ErrorCode.Unavailable, r.Error.Code);
            Assert.Contains("HTTP 500", r.Error.Message, StringComparison.Ordinal);
        });
        Assert.Equal(93576.0m, later.Value!.Close.Close);
        Assert.Equal(2, fake.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetClosesAsync_SharedCacheDownOrHanging_AnswersFromUpstream(bool hang)
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var fake = BinanceWithYearEnd(time);
        var md = Build.Tiered(time, cache: new BrokenQuoteCache(hang), venues: [fake]);

        var found = await md.GetCloseAsync("binance", Build.BtcUsdt, Dec31, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(93576.0m, found.Value!.Close.Close);
        Assert.Equal(QuoteSource.Upstream, found.Value.Source);
    }

    [Fact]
    public async Task GetClosesAsync_VenueWithoutUpstreamButSharedCacheOn_IsPriceNotFound()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var md = Build.Tiered(time, cache: new InMemoryQuoteCache(), venues: [BinanceWithYearEnd(time)]);

        var missing = await md.GetCloseAsync("kraken", Build.BtcUsd, Dec31, CancellationToken.None);

        Assert.Equal(Reasons.PriceNotFound, missing.Error!.Reason);
        Assert.Contains("no upstream is configured for venue 'kraken'", missing.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListVenues_ImportedAndUpstreamVenues_AreListedWithSpans()
    {
        var time = new ManualTime(Build.Utc(2025, 3, 1));
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("coinbase", Build.BtcUsd, Dec31, 93354.22m, true), new DailyClose("coinbase", Build.BtcUsd, new DateOnly(2024, 12, 30), 92620.71m, true)], false);
        var md = Build.Tiered(time, store, venues: [BinanceWithYearEnd(time)]);

        var venues = md.ListVenues();

        Assert.Equal(["binance", "coinbase"], venues.Select(v => v.Venue));
        var span = Assert.Single(venues[1].Pairs);
        Assert.Equal((new DateOnly(2024, 12, 30), Dec31), (span.First!.Value, span.Last!.Value));
    }

    [Fact]
    public void MonthRuns_DatesAcrossMonths_GroupsConsecutiveMonths()
    {
        var runs = TieredMarketData.MonthRuns([new DateOnly(2025, 1, 31), new DateOnly(2025, 2, 1), new DateOnly(2025, 1, 5), new DateOnly(2025, 4, 2)]);

        Assert.Equal([(new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 28)), (new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 30))], runs);
    }
}
