using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Tests;

public sealed class TieredMarketDataRateTests
{
    /// <summary>Real CBR USD rates (effective dates) around early March 2026, and JPY per 100.</summary>
    private static FakeCbr CbrMarch2026()
    {
        var cbr = new FakeCbr();
        cbr.Rates.AddRange(
        [
            new("USD", new DateOnly(2026, 2, 27), 1, 77.1218m),
            new("USD", new DateOnly(2026, 2, 28), 1, 77.2736m),
            new("USD", new DateOnly(2026, 3, 3), 1, 77.1734m),
            new("USD", new DateOnly(2026, 3, 4), 1, 77.6093m),
            new("JPY", new DateOnly(2026, 3, 3), 100, 49.3436m),
        ]);
        return cbr;
    }

    private static DateTimeOffset Moscow(int y, int m, int d, int h) => new DateTimeOffset(y, m, d, h, 0, 0, MarketClock.MoscowOffset).ToUniversalTime();

    [Fact]
    public async Task GetCbrRateAsync_MondayWithoutRecord_SaturdayRateWithItsEffectiveDate()
    {
        var time = new ManualTime(Moscow(2026, 3, 20, 12));
        var cbr = CbrMarch2026();
        var md = Build.Tiered(time, cbr: cbr);

        var monday = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 2), CancellationToken.None);

        Assert.Equal(77.2736m, monday.Value!.Rate.Value);
        Assert.Equal(new DateOnly(2026, 2, 28), monday.Value.Rate.EffectiveDate);
        Assert.Equal(new DateOnly(2026, 3, 2), monday.Value.Date);
        Assert.True(monday.Value.IsFinal);
        Assert.Equal(QuoteSource.Upstream, monday.Value.Source);
        var range = Assert.Single(cbr.Ranges);
        Assert.Equal(("USD", new DateOnly(2026, 2, 13), new DateOnly(2026, 3, 21)), range);
    }

    [Fact]
    public async Task GetCbrRateAsync_NominalHundred_UnitRateIsPerOneYen()
    {
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), cbr: CbrMarch2026());

        var jpy = await md.GetCbrRateAsync("JPY", new DateOnly(2026, 3, 3), CancellationToken.None);

        Assert.Equal(100, jpy.Value!.Rate.Nominal);
        Assert.Equal(49.3436m, jpy.Value.Rate.Value);
        Assert.Equal(0.493436m, jpy.Value.Rate.UnitRate);
    }

    [Fact]
    public async Task GetCbrRateAsync_TomorrowBeforeAndAfterPublication_ProvisionalThenFinal()
    {
        var time = new ManualTime(Moscow(2026, 3, 4, 10));
        var cbr = CbrMarch2026();
        var cache = new InMemoryQuoteCache();
        var md = Build.Tiered(time, cache: cache, cbr: cbr, configure: o => o.ProvisionalCacheTtl = TimeSpan.FromMinutes(1));
        var mar5 = new DateOnly(2026, 3, 5);

        var before = await md.GetCbrRateAsync("USD", mar5, CancellationToken.None);
        cbr.Rates.Add(new CbrRate("USD", mar5, 1, 77.8009m));
        time.Now = Moscow(2026, 3, 4, 16);
        var after = await md.GetCbrRateAsync("USD", mar5, CancellationToken.None);

        Assert.False(before.Value!.IsFinal);
        Assert.Equal(77.6093m, before.Value.Rate.Value);
        Assert.True(after.Value!.IsFinal);
        Assert.Equal(77.8009m, after.Value.Rate.Value);
        Assert.Equal(mar5, after.Value.Rate.EffectiveDate);
        Assert.DoesNotContain(cache.Rates, kv => kv.Key.Date == mar5 && kv.Value.Value == 77.6093m);
    }

    [Fact]
    public async Task GetCbrRateAsync_BeyondPublicationHorizon_RateNotPublishedWithoutCall()
    {
        var cbr = CbrMarch2026();
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 4, 10)), cbr: cbr);

        var far = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 20), CancellationToken.None);

        Assert.Equal(Reasons.RateNotPublished, far.Error!.Reason);
        Assert.Equal(ErrorCode.FailedPrecondition, far.Error.Code);
        Assert.Equal(0, cbr.Calls);
    }

    [Fact]
    public async Task GetCbrRateAsync_NewYearHolidayBlock_RateSetBeforeTheBlockIsInForce()
    {
        var cbr = new FakeCbr();
        cbr.Rates.AddRange([new("USD", new DateOnly(2023, 12, 30), 1, 89.6883m), new("USD", new DateOnly(2024, 1, 10), 1, 90.4153m)]);
        var md = Build.Tiered(new ManualTime(Moscow(2024, 2, 1, 12)), cbr: cbr);

        var jan9 = await md.GetCbrRateAsync("USD", new DateOnly(2024, 1, 9), CancellationToken.None);
        var jan10 = await md.GetCbrRateAsync("USD", new DateOnly(2024, 1, 10), CancellationToken.None);

        Assert.Equal((new DateOnly(2023, 12, 30), 89.6883m), (jan9.Value!.Rate.EffectiveDate, jan9.Value.Rate.Value));
        Assert.Equal(90.4153m, jan10.Value!.Rate.Value);
        Assert.Equal(1, cbr.Calls);
    }

    [Fact]
    public async Task GetCbrRateAsync_Rouble_IsOneWithoutLookup()
    {
        var cbr = CbrMarch2026();
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), cbr: cbr);

        var rub = await md.GetCbrRateAsync("RUB", new DateOnly(2026, 3, 2), CancellationToken.None);

        Assert.Equal((1, 1m, 1m), (rub.Value!.Rate.Nominal, rub.Value.Rate.Value, rub.Value.Rate.UnitRate));
        Assert.True(rub.Value.IsFinal);
        Assert.Equal(0, cbr.Calls);
    }

    [Theory]
    [InlineData("usd")]
    [InlineData("US")]
    [InlineData("")]
    public async Task GetCbrRateAsync_MalformedCurrency_InvalidCurrency(string currency)
    {
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), cbr: CbrMarch2026());

        var bad = await md.GetCbrRateAsync(currency, new DateOnly(2026, 3, 2), CancellationToken.None);

        Assert.Equal(Reasons.InvalidCurrency, bad.Error!.Reason);
    }

    [Fact]
    public async Task GetCbrRatesAsync_CurrencyCbrDoesNotPublish_UnknownCurrencyPerItem()
    {
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), cbr: CbrMarch2026());
        CbrRateKey[] keys = [new("USDT", new DateOnly(2026, 3, 2)), new("USD", new DateOnly(2026, 3, 2))];
        var results = new Lookup<CbrRateQuote>[2];

        await md.GetCbrRatesAsync(keys, results, CancellationToken.None);

        Assert.Equal(Reasons.UnknownCurrency, results[0].Error!.Reason);
        Assert.Equal(77.2736m, results[1].Value!.Rate.Value);
    }

    [Fact]
    public async Task GetCbrRateAsync_EmbeddedStore_AnswersImportedAndExplainsMisses()
    {
        var store = new MarketDataStore();
        store.ImportCbrRates([new("USD", new DateOnly(2026, 2, 28), 1, 77.2736m), new("USD", new DateOnly(2026, 3, 3), 1, 77.1734m)], false);
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), store);

        var monday = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 2), CancellationToken.None);
        var after = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 4), CancellationToken.None);
        var eur = await md.GetCbrRateAsync("EUR", new DateOnly(2026, 3, 4), CancellationToken.None);

        Assert.Equal((77.2736m, QuoteSource.Import, true), (monday.Value!.Rate.Value, monday.Value.Source, monday.Value.IsFinal));
        Assert.Equal(Reasons.RateNotFound, after.Error!.Reason);
        Assert.Equal(Reasons.UnknownCurrency, eur.Error!.Reason);
    }

    [Fact]
    public async Task GetCbrRateAsync_ImportFillsAHoleAfterARead_AnswersTheNewRateInForce()
    {
        // the file lacks 03.03.2026: the 28.02 rate covers that day until the 03.03 rate is imported
        var store = new MarketDataStore();
        store.ImportCbrRates([new("USD", new DateOnly(2026, 2, 28), 1, 77.2736m), new("USD", new DateOnly(2026, 3, 4), 1, 77.6093m)], false);
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), store);
        var before = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 3), CancellationToken.None);

        store.ImportCbrRates([new("USD", new DateOnly(2026, 3, 3), 1, 77.1734m)], false);
        var after = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 3), CancellationToken.None);

        Assert.Equal(new DateOnly(2026, 2, 28), before.Value!.Rate.EffectiveDate);
        Assert.Equal((new DateOnly(2026, 3, 3), 77.1734m), (after.Value!.Rate.EffectiveDate, after.Value.Rate.Value));
    }

    [Fact]
    public async Task GetCbrRateAsync_OverwrittenRate_AnswersTheReplacement()
    {
        // 03.03 first imported with the 28.02 value by mistake, then corrected with overwrite
        var store = new MarketDataStore();
        store.ImportCbrRates([new("USD", new DateOnly(2026, 3, 3), 1, 77.2736m)], false);
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), store);
        var before = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 3), CancellationToken.None);

        var report = store.ImportCbrRates([new("USD", new DateOnly(2026, 3, 3), 1, 77.1734m)], overwrite: true);
        var after = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 3), CancellationToken.None);

        Assert.Equal((77.2736m, 1), (before.Value!.Rate.Value, report.Replaced));
        Assert.Equal(77.1734m, after.Value!.Rate.Value);
    }

    [Fact]
    public async Task GetCbrRatesAsync_CbrDown_UpstreamUnavailablePerItemAndNothingCached()
    {
        var cbr = CbrMarch2026();
        cbr.Failure = () => new UpstreamException("cbr", Reasons.UpstreamInvalidResponse, "CBR answered an invalid document: not well-formed XML");
        var cache = new InMemoryQuoteCache();
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), cache: cache, cbr: cbr);
        CbrRateKey[] keys = [new("USD", new DateOnly(2026, 3, 2)), new("USD", new DateOnly(2026, 3, 3))];
        var results = new Lookup<CbrRateQuote>[2];

        await md.GetCbrRatesAsync(keys, results, CancellationToken.None);

        Assert.All(results, r =>
        {
            Assert.Equal(Reasons.UpstreamInvalidResponse, r.Error!.Reason);
            Assert.Contains("not well-formed", r.Error.Message, StringComparison.Ordinal);
        });
        Assert.Empty(cache.Rates);
        Assert.Equal(1, cbr.Calls);
    }

    [Fact]
    public async Task GetCbrRatesAsync_MonthFetched_EveryDayOfItWrittenToSharedCacheAndMemory()
    {
        var cbr = CbrMarch2026();
        var cache = new InMemoryQuoteCache();
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 4, 18)), cache: cache, cbr: cbr);

        await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 1), CancellationToken.None);
        var memory = await md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 2), CancellationToken.None);

        Assert.Equal(QuoteSource.Memory, memory.Value!.Source);
        Assert.Equal(1, cbr.Calls);
        Assert.Equal(new DateOnly(2026, 2, 28), cache.Rates[new CbrRateKey("USD", new DateOnly(2026, 3, 1))].EffectiveDate);
        Assert.Equal(77.6093m, cache.Rates[new CbrRateKey("USD", new DateOnly(2026, 3, 4))].Value);
        Assert.False(cache.Rates.ContainsKey(new CbrRateKey("USD", new DateOnly(2026, 3, 5))));
    }

    [Fact]
    public async Task GetCbrRateAsync_ThousandConcurrentRequests_OneCbrCall()
    {
        var cbr = CbrMarch2026();
        cbr.Delay = TimeSpan.FromMilliseconds(150);
        var md = Build.Tiered(new ManualTime(Moscow(2026, 3, 20, 12)), cbr: cbr);

        var all = await Task.WhenAll(Enumerable.Range(0, 1000)
            .Select(i => Task.Run(() => md.GetCbrRateAsync("USD", new DateOnly(2026, 3, 1 + (i % 4)), CancellationToken.None).AsTask())));

        Assert.Equal(1, cbr.Calls);
        Assert.All(all, r => Assert.True(r.Ok));
    }
}
