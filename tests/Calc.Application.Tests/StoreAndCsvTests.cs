using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Tests;

public sealed class StoreAndCsvTests
{
    private static readonly AssetPair BtcUsdt = new("BTC", "USDT");

    /// <summary>The import rules on the real clock (every date below is long past), venues with a client only.</summary>
    private static readonly ImportRules Rules = new(TimeProvider.System, VenueRegistry.SupportedOnly);

    private static DailyClose Close(int day, decimal value, bool final = true) => new("binance", BtcUsdt, new DateOnly(2024, 12, day), value, final);

    [Fact]
    public void ImportCloses_SameRowsTwice_SecondImportIsAllUnchanged()
    {
        var store = new MarketDataStore();

        var first = store.ImportCloses([Close(30, 92792.05m), Close(31, 93576.0m)], overwrite: false);
        var second = store.ImportCloses([Close(30, 92792.05m), Close(31, 93576.00m)], overwrite: false);

        Assert.Equal((2, 0, 0, 0), (first.Added, first.Unchanged, first.Replaced, first.Rejected.Count));
        Assert.Equal((0, 2, 0, 0), (second.Added, second.Unchanged, second.Replaced, second.Rejected.Count));
        Assert.Equal(2, store.CloseCount);
    }

    [Fact]
    public void ImportCloses_ConflictingValue_RejectedWithReasonUnlessOverwrite()
    {
        var store = new MarketDataStore();
        store.ImportCloses([Close(31, 93576.0m)], overwrite: false);

        var rejected = store.ImportCloses([Close(30, 92792.05m), Close(31, 93000m)], overwrite: false, "batch");
        var replaced = store.ImportCloses([Close(31, 93000m)], overwrite: true);

        Assert.Equal(1, rejected.Added);
        var error = Assert.Single(rejected.Rejected);
        Assert.Equal("batch 1", error.Location);
        Assert.Equal((ErrorCode.AlreadyExists, Reasons.ConflictingValue), (error.Error.Code, error.Error.Reason));
        Assert.Equal(1, replaced.Replaced);
        Assert.True(store.TryGetClose(new CloseKey("binance", BtcUsdt, new DateOnly(2024, 12, 31)), out var now));
        Assert.Equal(93000m, now.Close);
    }

    [Fact]
    public void ImportCloses_ProvisionalClose_RejectedAsNotFinal()
    {
        var store = new MarketDataStore();

        var report = store.ImportCloses([Close(31, 93576.0m, final: false)], overwrite: false);

        Assert.Equal(Reasons.PriceNotFinal, Assert.Single(report.Rejected).Error.Reason);
        Assert.Equal(0, store.CloseCount);
    }

    [Fact]
    public void ImportCbrRates_IdempotentConflictAndSeriesLookup()
    {
        var store = new MarketDataStore();
        CbrRate[] rates = [new("USD", new DateOnly(2022, 12, 31), 1, 70.3375m), new("USD", new DateOnly(2023, 1, 10), 1, 70.3002m)];

        var first = store.ImportCbrRates(rates, overwrite: false);
        var again = store.ImportCbrRates(rates, overwrite: false);
        var conflict = store.ImportCbrRates([new("USD", new DateOnly(2023, 1, 10), 1, 70.4m)], overwrite: false);
        var inForce = store.GetSeries("USD")!.InForceOn(new DateOnly(2023, 1, 9), out _);

        Assert.Equal(2, first.Added);
        Assert.Equal(2, again.Unchanged);
        Assert.Equal(Reasons.ConflictingValue, Assert.Single(conflict.Rejected).Error.Reason);
        Assert.Equal(70.3375m, inForce!.Value);
        Assert.Equal(2, store.CbrRateCount);
    }

    [Fact]
    public void ParseCloses_MixedRows_KeepsGoodRowsAndLocatesEveryBadOne()
    {
        const string text = "\uFEFFvenue,base,quote,date,close\n" +
            "binance,BTC,USDT,2024-12-31,93576.00\r\n" +
            "Binance,BTC,USDT,2024-12-30,92792.05\n" +
            "binance,BTC,USDT,2024-13-01,1\n" +
            "binance,BTC,USDT,2024-12-29,\"93738,2\"\n" +
            "binance,BTC,USDT,2024-12-28\n" +
            "\n" +
            "coinbase,BTC,USD,2024-12-31,93354.22\n";

        var parsed = MarketDataCsv.ParseCloses(new StringReader(text), "closes.csv", Rules);

        Assert.Equal([93576.00m, 93354.22m], parsed.Rows.Select(r => r.Close));
        Assert.All(parsed.Rows, r => Assert.True(r.IsFinal));
        Assert.Equal(
            [("closes.csv:3", Reasons.UnknownVenue), ("closes.csv:4", Reasons.InvalidDate), ("closes.csv:5", "INVALID_ROW"), ("closes.csv:6", "INVALID_ROW")],
            parsed.Errors.Select(e => (e.Location, e.Error.Reason)));
    }

    [Fact]
    public void ParseCbrRates_BadRows_ReportedWithReasons()
    {
        const string text = "date,char_code,nominal,value\n2026-03-03,JPY,100,49.3436\n2026-03-03,usd,1,77.1734\n2026-03-03,EUR,0,90.7307\n2026-03-03,CNY,1,11,1960\n2026-03-03,CNY,1,-11.1960\n";

        var parsed = MarketDataCsv.ParseCbrRates(new StringReader(text), "cbr-rates.csv", Rules);

        var jpy = Assert.Single(parsed.Rows);
        Assert.Equal(0.493436m, jpy.UnitRate);
        Assert.Equal(
            [Reasons.InvalidCurrency, Reasons.InvalidAmount, "INVALID_ROW", Reasons.InvalidAmount],
            parsed.Errors.Select(e => e.Error.Reason));
    }

    [Fact]
    public void ParseCloses_WrongHeader_SingleHeaderError()
    {
        var parsed = MarketDataCsv.ParseCloses(new StringReader("date,close\n2024-12-31,93576.0\n"), "closes.csv", Rules);

        Assert.Empty(parsed.Rows);
        Assert.Equal(("closes.csv:1", "INVALID_HEADER"), (parsed.Errors[0].Location, parsed.Errors[0].Error.Reason));
    }

    [Fact]
    public void StartupImport_BadRow_FailsInFailModeAndSkipsInSkipMode()
    {
        string dir = Directory.CreateTempSubdirectory("calc-import-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, StartupImport.ClosesFile), "venue,base,quote,date,close\nbinance,BTC,USDT,2024-12-31,93576.0\nbinance,BTC,USDT,2024-12-30,abc\n");
            File.WriteAllText(Path.Combine(dir, StartupImport.CbrRatesFile), "date,char_code,nominal,value\n2022-12-31,USD,1,70.3375\n");

            var fail = Assert.Throws<CalcException>(() => StartupImport.Run(new MarketDataStore(), dir, ImportErrorMode.Fail, Rules));
            var store = new MarketDataStore();
            var report = StartupImport.Run(store, dir, ImportErrorMode.SkipAndReport, Rules);

            Assert.Equal(Reasons.InvalidDecimal, fail.Error.Reason);
            Assert.Contains(":3", fail.Error.Message, StringComparison.Ordinal);
            Assert.Equal(2, report.Added);
            Assert.Equal(Reasons.InvalidDecimal, Assert.Single(report.Rejected).Error.Reason);
            Assert.Equal(1, store.CloseCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void StartupImport_MissingDirectory_ImportPathNotFound()
    {
        var e = Assert.Throws<CalcException>(() => StartupImport.Run(new MarketDataStore(), "/nonexistent/calc-import", ImportErrorMode.Fail, Rules));

        Assert.Equal("IMPORT_PATH_NOT_FOUND", e.Error.Reason);
    }
}
