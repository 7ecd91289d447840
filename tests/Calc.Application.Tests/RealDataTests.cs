using System.Globalization;
using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Calc.Tests.Shared;

namespace Calc.Application.Tests;

/// <summary>Checks against ../shared/data (skipped when absent).</summary>
public sealed class RealDataTests
{
    private static List<CbrRate> UsdRows()
    {
        using var reader = new StreamReader(SharedData.PathOf("cbr-rates.csv"));
        var parsed = MarketDataCsv.ParseCbrRates(reader, "cbr-rates.csv", new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly));
        Assert.Empty(parsed.Errors);
        return parsed.Rows.Where(r => r.Currency == "USD").OrderBy(r => r.EffectiveDate).ToList();
    }

    /// <summary>Every day of the USD span, with the file's last row on or before it.</summary>
    private static List<(DateOnly Date, CbrRate Expected)> EveryDay(List<CbrRate> usd)
    {
        var days = new List<(DateOnly, CbrRate)>();
        int next = 0;
        CbrRate? current = null;
        for (var d = usd[0].EffectiveDate; d <= usd[^1].EffectiveDate; d = d.AddDays(1))
        {
            while (next < usd.Count && usd[next].EffectiveDate <= d)
            {
                current = usd[next++];
            }

            days.Add((d, current!));
        }

        return days;
    }

    [SharedDataFact]
    public async Task GetCbrRatesAsync_EveryDayOfTheUsdSpanFromUpstream_EqualsLastFileRowOnOrBefore()
    {
        var usd = UsdRows();
        var cbr = new FakeCbr();
        cbr.Rates.AddRange(usd);
        var time = new ManualTime(new DateTimeOffset(usd[^1].EffectiveDate.AddDays(1).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));
        var md = Build.Tiered(time, cbr: cbr);
        var days = EveryDay(usd);
        var keys = days.Select(d => new CbrRateKey("USD", d.Date)).ToArray();
        var results = new Lookup<CbrRateQuote>[keys.Length];

        await md.GetCbrRatesAsync(keys, results, CancellationToken.None);

        for (int i = 0; i < days.Count; i++)
        {
            Assert.True(results[i].Ok, $"{days[i].Date}: {results[i].Error?.Message}");
            Assert.Equal(days[i].Expected, results[i].Value!.Rate);
            Assert.True(results[i].Value!.IsFinal);
        }

        Assert.Equal(1, cbr.Calls); // the months are consecutive: one range
        Assert.True(days.Count > 1300);
    }

    [SharedDataFact]
    public async Task GetCbrRatesAsync_EveryDayOfTheUsdSpanFromImport_EqualsLastFileRowOnOrBefore()
    {
        var store = new MarketDataStore();
        var report = StartupImport.Run(store, SharedData.Root!, ImportErrorMode.Fail, new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly));
        var usd = UsdRows();
        var md = Build.Tiered(new ManualTime(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero)), store);
        var days = EveryDay(usd);
        var keys = days.Select(d => new CbrRateKey("USD", d.Date)).ToArray();
        var results = new Lookup<CbrRateQuote>[keys.Length];

        await md.GetCbrRatesAsync(keys, results, CancellationToken.None);

        Assert.Empty(report.Rejected);
        for (int i = 0; i < days.Count; i++)
        {
            Assert.Equal(days[i].Expected, results[i].Value!.Rate);
            Assert.Equal(QuoteSource.Import, results[i].Value!.Source);
        }
    }

    [SharedDataFact]
    public void StartupImport_SharedDataTwice_AddsEveryRowThenReportsAllUnchanged()
    {
        var store = new MarketDataStore();
        int closeRows = File.ReadLines(SharedData.PathOf("closes.csv")).Count() - 1;
        int rateRows = File.ReadLines(SharedData.PathOf("cbr-rates.csv")).Count() - 1;

        var first = StartupImport.Run(store, SharedData.Root!, ImportErrorMode.Fail, new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly));
        var second = StartupImport.Run(store, SharedData.Root!, ImportErrorMode.Fail, new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly));

        Assert.Equal(closeRows + rateRows, first.Added);
        Assert.Equal((0, closeRows + rateRows, 0), (second.Added, second.Unchanged, second.Replaced));
        Assert.Equal(closeRows, store.CloseCount);
        Assert.True(store.TryGetClose(new CloseKey("binance", new AssetPair("BTC", "USDT"), new DateOnly(2024, 12, 31)), out var close));
        Assert.Equal(93576.0m, close.Close);
    }

    [SharedDataFact]
    public async Task GetClosesAsync_ImportedCoinbaseSeries_EveryRowAnsweredWithImportProvenance()
    {
        var store = new MarketDataStore();
        StartupImport.Run(store, SharedData.Root!, ImportErrorMode.Fail, new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly));
        var rows = File.ReadLines(SharedData.PathOf("btc-usd-coinbase-daily-close.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(f => (Date: DateOnly.Parse(f[0], CultureInfo.InvariantCulture), Close: decimal.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();
        var md = Build.Tiered(new ManualTime(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero)), store);
        var keys = rows.Select(r => new CloseKey("coinbase", new AssetPair("BTC", "USD"), r.Date)).ToArray();
        var results = new Lookup<CloseQuote>[keys.Length];

        await md.GetClosesAsync(keys, results, CancellationToken.None);

        Assert.Equal(rows.Select(r => r.Close), results.Select(r => r.Value!.Close.Close));
        Assert.All(results, r => Assert.Equal(QuoteSource.Import, r.Value!.Source));
    }
}
