using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Calc.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Calc.Application.Tests.Imports;

/// <summary>
/// The one validation of imported market data (<see cref="ImportRules"/>), on both paths that use it: the import
/// methods (<see cref="ImportCommands"/>, a refusal names the item index) and the files read at startup and by the
/// CLI (<see cref="MarketDataCsv"/>, a refusal names file and line). Every table row is run through both paths
/// beside a good row, which is always imported: one bad row never fails the batch.
/// </summary>
public sealed class ImportRulesTests
{
    /// <summary>Monday 07.12.2026, 12:00 UTC (15:00 in Moscow).</summary>
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private const string DeclaredVenue = "otc-desk";

    private static ImportRules Rules(TimeProvider clock) => new(clock, new VenueRegistry([DeclaredVenue]));

    private static ImportRules Rules(DateTimeOffset now) => Rules(new FakeTimeProvider(now));

    /// <summary>(venue, base, quote, date, close; the reason and field of the refusal, or "" when the row is imported).</summary>
    public static TheoryData<string, string, string, string, string, string, string> CloseRows => new()
    {
        { "binance", "BTC", "USDT", "2026-12-06", "98000.12", "", "" },                                // yesterday: closed at 00:00 UTC today
        { "binance", "BTC", "USDT", "2026-12-07", "98000.12", Reasons.PriceNotFinal, "date" },         // today's UTC day is still open
        { "binance", "BTC", "USDT", "2026-12-08", "98000.12", Reasons.PriceNotFinal, "date" },         // tomorrow
        { "binance", "BTC", "USDT", "2099-01-01", "98000.12", Reasons.PriceNotFinal, "date" },
        { "binance", "BTC", "USDT", "1900-01-01", "1", Reasons.DateTooEarly, "date" },
        { "binance", "BTC", "USDT", "2016-12-31", "1000", Reasons.DateTooEarly, "date" },              // Binance began trading in 2017
        { "binance", "BTC", "USDT", "2017-01-01", "1000", "", "" },
        { "bitstamp", "BTC", "USD", "2011-01-01", "1", "", "" },
        { "bitstamp", "BTC", "USD", "2010-12-31", "1", Reasons.DateTooEarly, "date" },
        { DeclaredVenue, "BTC", "USD", "2009-01-03", "0.01", "", "" },                                  // a declared venue: the first Bitcoin block
        { DeclaredVenue, "BTC", "USD", "2009-01-02", "0.01", Reasons.DateTooEarly, "date" },
        { "evil", "BTC", "USDT", "2026-12-06", "98000.12", Reasons.UnknownVenue, "venue" },
        { "Binance", "BTC", "USDT", "2026-12-06", "98000.12", Reasons.UnknownVenue, "venue" },
        { "", "BTC", "USDT", "2026-12-06", "98000.12", Reasons.MissingField, "venue" },
        { "binance", "btc", "USDT", "2026-12-06", "98000.12", Reasons.UnknownAsset, "base" },
        { "binance", "BTC", "US DT", "2026-12-06", "98000.12", Reasons.UnknownAsset, "quote" },
        { "binance", "BTC", "USDT", "06.12.2026", "98000.12", Reasons.InvalidDate, "date" },
        { "binance", "BTC", "USDT", "2026-12-06", "0", Reasons.InvalidAmount, "close" },
        { "binance", "BTC", "USDT", "2026-12-06", "-98000.12", Reasons.InvalidAmount, "close" },
        { "binance", "BTC", "USDT", "2026-12-06", "NaN", Reasons.InvalidDecimal, "close" },
        { "binance", "BTC", "USDT", "2026-12-06", "Infinity", Reasons.InvalidDecimal, "close" },
        { "binance", "BTC", "USDT", "2026-12-06", "1e5", Reasons.InvalidDecimal, "close" },
        { "binance", "SHIB", "USDT", "2026-12-06", "0.000000000000000001", "", "" },                  // 18 places
        { "binance", "SHIB", "USDT", "2026-12-06", "0.0000000000000000001", Reasons.InvalidDecimal, "close" }, // 19 places
        { "binance", "BTC", "USDT", "2026-12-06", "999999999999.99", "", "" },
        { "binance", "BTC", "USDT", "2026-12-06", "1000000000000", Reasons.InvalidAmount, "close" },
    };

    /// <summary>(currency, effective date, nominal, value; the reason and field of the refusal, or "" when the row is imported).</summary>
    public static TheoryData<string, string, int, string, string, string> RateRows => new()
    {
        { "USD", "2026-12-07", 1, "78.2179", "", "" },                                   // today in Moscow
        { "USD", "2026-12-08", 1, "78.2179", Reasons.DateInFuture, "date" },             // tomorrow
        { "USD", "2099-01-01", 1, "78.2179", Reasons.DateInFuture, "date" },
        { "USD", "1992-07-01", 1, "125.26", "", "" },                                    // the first official rate
        { "USD", "1992-06-30", 1, "125.26", Reasons.DateTooEarly, "date" },
        { "USD", "1900-01-01", 1, "1", Reasons.DateTooEarly, "date" },
        { "RUB", "2026-12-07", 1, "1", Reasons.RubImplicit, "currency" },
        { "XXX", "2026-12-07", 1, "1", Reasons.UnknownCurrency, "currency" },
        { "ABC", "2026-12-07", 1, "1", Reasons.UnknownCurrency, "currency" },
        { "usd", "2026-12-07", 1, "78.2179", Reasons.InvalidCurrency, "currency" },
        { "USDT", "2026-12-07", 1, "78.2179", Reasons.InvalidCurrency, "currency" },
        { "", "2026-12-07", 1, "78.2179", Reasons.MissingField, "currency" },
        { "BGN", "2023-09-27", 1, "52.3202", "", "" },                                   // the CBR rate of 27.09.2023 (shared/data/samples); BGN is no longer set
        { "JPY", "2026-12-07", 100, "49.3436", "", "" },
        { "KRW", "2026-12-07", 1000, "53.7106", "", "" },
        { "VND", "2026-12-07", 10000, "29.8372", "", "" },
        { "IRR", "2026-12-07", 100000, "1.8721", "", "" },
        { "IRR", "2026-12-07", 1000000, "18.7210", "", "" },
        { "USD", "2026-12-07", 10, "782.179", "", "" },
        { "USD", "2026-12-07", 0, "78.2179", Reasons.InvalidAmount, "nominal" },
        { "USD", "2026-12-07", -1, "78.2179", Reasons.InvalidAmount, "nominal" },
        { "USD", "2026-12-07", 2, "156.4358", Reasons.InvalidNominal, "nominal" },
        { "USD", "2026-12-07", 2147483647, "78.2179", Reasons.InvalidNominal, "nominal" },
        { "USD", "2026-12-07", 1, "0", Reasons.InvalidAmount, "value" },
        { "USD", "2026-12-07", 1, "-78.2179", Reasons.InvalidAmount, "value" },
        { "USD", "2026-12-07", 1, "NaN", Reasons.InvalidDecimal, "value" },
        { "USD", "2026-12-07", 1, "78.21790001", "", "" },                               // 8 places
        { "USD", "2026-12-07", 1, "78.217900001", Reasons.InvalidDecimal, "value" },     // 9 places
        { "USD", "2026-12-07", 1, "999999.9999", "", "" },
        { "USD", "2026-12-07", 1, "1000000", Reasons.InvalidAmount, "value" },
    };

    [Theory]
    [MemberData(nameof(CloseRows))]
    public void ImportCloses_Row_ImportedOrRefusedWithItsIndexAndReason(string venue, string baseCode, string quote, string date, string close, string reason, string field)
    {
        var store = new MarketDataStore();
        var commands = new ImportCommands(store, Rules(Noon), new ValuationOptions());

        var report = commands.ImportCloses([GoodClose, new CloseRow(venue, baseCode, quote, date, close)], overwrite: false);

        AssertOutcome(report, "1", reason, field);
        Assert.Equal(report.Added, store.CloseCount);
    }

    [Theory]
    [MemberData(nameof(CloseRows))]
    public void ParseCloses_Row_ParsedOrRefusedWithItsLineAndReason(string venue, string baseCode, string quote, string date, string close, string reason, string field)
    {
        string text = $"{MarketDataCsv.ClosesHeader}\nbinance,BTC,USDT,2026-12-05,97000.5\n{venue},{baseCode},{quote},{date},{close}\n";

        var parsed = MarketDataCsv.ParseCloses(new StringReader(text), "closes.csv", Rules(Noon));

        AssertOutcome(parsed.Rows.Count, parsed.Errors, "closes.csv:3", reason, field);
    }

    [Theory]
    [MemberData(nameof(RateRows))]
    public void ImportRates_Row_ImportedOrRefusedWithItsIndexAndReason(string currency, string date, int nominal, string value, string reason, string field)
    {
        var store = new MarketDataStore();
        var commands = new ImportCommands(store, Rules(Noon), new ValuationOptions());

        var report = commands.ImportRates([GoodRate, new RateRow(currency, date, nominal, value)], overwrite: false);

        AssertOutcome(report, "1", reason, ApiRateField(field));
        Assert.Equal(report.Added, store.CbrRateCount);
    }

    [Theory]
    [MemberData(nameof(RateRows))]
    public void ParseCbrRates_Row_ParsedOrRefusedWithItsLineAndReason(string currency, string date, int nominal, string value, string reason, string field)
    {
        string text = $"{MarketDataCsv.CbrRatesHeader}\n2026-12-05,CNY,1,10.9542\n{date},{currency},{nominal},{value}\n";

        var parsed = MarketDataCsv.ParseCbrRates(new StringReader(text), "cbr-rates.csv", Rules(Noon));

        AssertOutcome(parsed.Rows.Count, parsed.Errors, "cbr-rates.csv:3", reason, CsvRateField(field));
    }

    /// <summary>Nominals only a file can carry: text that is not an integer, and one beyond any integer the API takes.</summary>
    [Theory]
    [InlineData("1.0", "INVALID_AMOUNT")]
    [InlineData("one", "INVALID_AMOUNT")]
    [InlineData("", "MISSING_FIELD")]
    [InlineData("99999999999", "INVALID_NOMINAL")]
    public void ParseCbrRates_NominalText_RefusedWithReason(string nominal, string reason)
    {
        string text = $"{MarketDataCsv.CbrRatesHeader}\n2026-12-05,USD,{nominal},78.2179\n";

        var parsed = MarketDataCsv.ParseCbrRates(new StringReader(text), "cbr-rates.csv", Rules(Noon));

        var error = Assert.Single(parsed.Errors);
        Assert.Equal(("cbr-rates.csv:2", reason, "nominal"), (error.Location, error.Error.Reason, error.Error.Field));
    }

    [Fact]
    public void Close_UtcDayBoundary_RefusedUntilTheDayHasClosedThenImportedOnBothPaths()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 23, 59, 59, TimeSpan.Zero));
        var rules = Rules(clock);
        var row = new CloseRow("binance", "BTC", "USDT", "2026-12-07", "98000.12");
        string file = $"{MarketDataCsv.ClosesHeader}\nbinance,BTC,USDT,2026-12-07,98000.12\n";

        var before = new ImportCommands(new MarketDataStore(), rules, new ValuationOptions()).ImportCloses([row], overwrite: false);
        var beforeFile = MarketDataCsv.ParseCloses(new StringReader(file), "closes.csv", rules);
        clock.Advance(TimeSpan.FromSeconds(1)); // 00:00:00 UTC on the 8th: the 7th has closed
        var after = new ImportCommands(new MarketDataStore(), rules, new ValuationOptions()).ImportCloses([row], overwrite: false);
        var afterFile = MarketDataCsv.ParseCloses(new StringReader(file), "closes.csv", rules);

        Assert.Equal((0, Reasons.PriceNotFinal), (before.Added, Assert.Single(before.Rejected).Error.Reason));
        Assert.Equal(Reasons.PriceNotFinal, Assert.Single(beforeFile.Errors).Error.Reason);
        Assert.Contains("2026-12-08T00:00:00Z", before.Rejected[0].Error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), (after.Added, after.Rejected.Count));
        Assert.Single(afterFile.Rows);
    }

    [Fact]
    public void Close_HtxDay_EndsAt1600Utc()
    {
        // HTX's daily candle is the UTC+8 day: the 7th closes at 16:00 UTC on the 7th
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 15, 59, 59, TimeSpan.Zero));
        var rules = Rules(clock);

        var before = rules.Close("htx", "BTC", "USDT", "2026-12-07", "98000.12", CloseFields.Api, out _);
        clock.Advance(TimeSpan.FromSeconds(1));
        var after = rules.Close("htx", "BTC", "USDT", "2026-12-07", "98000.12", CloseFields.Api, out var close);

        Assert.Equal(Reasons.PriceNotFinal, before?.Reason);
        Assert.Null(after);
        Assert.True(close!.IsFinal);
    }

    [Fact]
    public void Rate_MoscowDayBoundary_TomorrowRefusedUntilMidnightInMoscowOnBothPaths()
    {
        // 20:59:59 UTC is 23:59:59 in Moscow: the 8th is tomorrow; a second later it is today (the UTC day is still the 7th)
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 20, 59, 59, TimeSpan.Zero));
        var rules = Rules(clock);
        var row = new RateRow("USD", "2026-12-08", 1, "78.2179");
        string file = $"{MarketDataCsv.CbrRatesHeader}\n2026-12-08,USD,1,78.2179\n";

        var before = new ImportCommands(new MarketDataStore(), rules, new ValuationOptions()).ImportRates([row], overwrite: false);
        var beforeFile = MarketDataCsv.ParseCbrRates(new StringReader(file), "cbr-rates.csv", rules);
        clock.Advance(TimeSpan.FromSeconds(1));
        var after = new ImportCommands(new MarketDataStore(), rules, new ValuationOptions()).ImportRates([row], overwrite: false);
        var afterFile = MarketDataCsv.ParseCbrRates(new StringReader(file), "cbr-rates.csv", rules);

        var refused = Assert.Single(before.Rejected);
        Assert.Equal(("0", Reasons.DateInFuture, "effective_date"), (refused.Location, refused.Error.Reason, refused.Error.Field));
        Assert.Contains("2026-12-07", refused.Error.Message, StringComparison.Ordinal); // names today in Moscow
        Assert.Equal(("cbr-rates.csv:2", Reasons.DateInFuture), (Assert.Single(beforeFile.Errors).Location, beforeFile.Errors[0].Error.Reason));
        Assert.Equal((1, 0), (after.Added, after.Rejected.Count));
        Assert.Single(afterFile.Rows);
    }

    [Fact]
    public void Refusals_NameTheFloorTheNominalsAndTheVenueKey()
    {
        var rules = Rules(Noon);

        var oldRate = rules.Rate("USD", "1990-01-01", 1, "0.6", RateFields.Api, out _)!;
        var oldClose = rules.Close("binance", "BTC", "USDT", "2015-06-01", "230", CloseFields.Api, out _)!;
        var nominal = rules.Rate("USD", "2026-12-07", 2147483647, "78.2179", RateFields.Api, out _)!;
        var venue = rules.Close("evil", "BTC", "USDT", "2026-12-06", "98000.12", CloseFields.Api, out _)!;
        var rub = rules.Rate("RUB", "2026-12-07", 1, "1", RateFields.Api, out _)!;

        Assert.Contains("1992-07-01", oldRate.Message, StringComparison.Ordinal);
        Assert.Contains("2017-01-01", oldClose.Message, StringComparison.Ordinal);
        Assert.Contains("1, 10, 100, 1000, 10000, 100000, 1000000", nominal.Message, StringComparison.Ordinal);
        Assert.Contains(VenueRegistry.ExtraVenuesKey, venue.Message, StringComparison.Ordinal);
        Assert.Contains("binance", venue.Message, StringComparison.Ordinal);
        Assert.Contains(DeclaredVenue, venue.Message, StringComparison.Ordinal);
        Assert.Contains("rate is 1", rub.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupImport_NewRuleViolations_FailNamingFileAndLineOrAreSkippedAndReported()
    {
        string dir = Directory.CreateTempSubdirectory("calc-import-rules-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, StartupImport.ClosesFile),
                $"{MarketDataCsv.ClosesHeader}\nbinance,BTC,USDT,2026-12-06,98000.12\nevil,BTC,USDT,2026-12-06,1\nbinance,BTC,USDT,1900-01-01,1\n");
            File.WriteAllText(Path.Combine(dir, StartupImport.CbrRatesFile),
                $"{MarketDataCsv.CbrRatesHeader}\n2026-12-05,USD,1,78.2179\n2099-01-01,USD,1,1\n2026-12-05,RUB,1,1\n2026-12-05,XXX,1,1\n2026-12-05,EUR,2147483647,1\n");

            var fail = Assert.Throws<CalcException>(() => StartupImport.Run(new MarketDataStore(), dir, ImportErrorMode.Fail, Rules(Noon)));
            var store = new MarketDataStore();
            var report = StartupImport.Run(store, dir, ImportErrorMode.SkipAndReport, Rules(Noon));

            // the rates file is read first: its first bad row stops startup
            Assert.Equal(Reasons.DateInFuture, fail.Error.Reason);
            Assert.Contains("cbr-rates.csv:3", fail.Error.Message, StringComparison.Ordinal);
            Assert.Equal(2, report.Added);
            Assert.Equal(
                [(":3", Reasons.DateInFuture), (":4", Reasons.RubImplicit), (":5", Reasons.UnknownCurrency), (":6", Reasons.InvalidNominal),
                 (":3", Reasons.UnknownVenue), (":4", Reasons.DateTooEarly)],
                report.Rejected.Select(r => (r.Location[r.Location.LastIndexOf(':')..], r.Error.Reason)));
            Assert.Equal((1, 1), (store.CloseCount, store.CbrRateCount));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ListVenues_UndeclaredVenueInTheStore_IsNeverListed()
    {
        // a store written around the rules (as by an older build's import) still never lists the venue
        var store = new MarketDataStore();
        store.ImportCloses([
            new DailyClose("evil", new AssetPair("BTC", "USDT"), new DateOnly(2026, 12, 6), 1m, IsFinal: true),
            new DailyClose(DeclaredVenue, new AssetPair("BTC", "USD"), new DateOnly(2026, 12, 6), 98000m, IsFinal: true),
        ], overwrite: false);
        var market = Build.Tiered(new FakeTimeProvider(Noon), store, registry: new VenueRegistry([DeclaredVenue]));

        var listed = market.ListVenues().Select(v => v.Venue).ToArray();

        Assert.Equal([DeclaredVenue], listed);
        Assert.Equal(Reasons.UnknownVenue, KnownVenues.Check("evil", market, "venue")?.Reason);
        Assert.Null(KnownVenues.Check(DeclaredVenue, market, "venue"));
        Assert.Null(KnownVenues.Check("kraken", market, "venue"));
    }

    [Theory]
    [InlineData("otc-desk;my-venue", new[] { "my-venue", "otc-desk" })]
    [InlineData(" otc-desk , my-venue ", new[] { "my-venue", "otc-desk" })]
    [InlineData("binance", new string[0])]
    [InlineData("", new string[0])]
    public void VenueRegistry_FromConfiguration_TakesSeparatedIds(string value, string[] extra)
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MarketData:ExtraVenues"] = value }).Build().GetSection("MarketData");

        var registry = VenueRegistry.FromConfiguration(section);

        Assert.Equal(extra, registry.Extra.Order(StringComparer.Ordinal));
        Assert.True(registry.IsDeclared("binance"));
    }

    [Fact]
    public void VenueRegistry_FromConfigurationList_TakesEachEntry()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MarketData:ExtraVenues:0"] = "otc-desk", ["MarketData:ExtraVenues:1"] = "my-venue" })
            .Build().GetSection("MarketData");

        Assert.Equal(["my-venue", "otc-desk"], VenueRegistry.FromConfiguration(section).Extra.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Evil")]
    [InlineData("my venue")]
    [InlineData("a-venue-id-that-is-much-longer-than-32")]
    public void VenueRegistry_MalformedId_RefusedNamingTheKey(string id)
    {
        var e = Assert.Throws<InvalidOperationException>(() => new VenueRegistry([id]));

        Assert.Contains(VenueRegistry.ExtraVenuesKey, e.Message, StringComparison.Ordinal);
        Assert.Contains(id, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryVenueWithAClient_HasAFirstTradingYear()
    {
        Assert.All(KnownVenues.Supported, v => Assert.True(KnownVenues.FirstTradingYear.ContainsKey(v), v));
        Assert.All(KnownVenues.FirstTradingYear.Values, y => Assert.InRange(y, VenueRegistry.FirstBitcoinBlock.Year, 2026));
    }

    [SharedDataFact]
    public void SharedData_BothFiles_ParseWithZeroRefusals()
    {
        var rules = new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly);
        using var closes = new StreamReader(SharedData.PathOf("closes.csv"));
        using var rates = new StreamReader(SharedData.PathOf("cbr-rates.csv"));

        var parsedCloses = MarketDataCsv.ParseCloses(closes, "closes.csv", rules);
        var parsedRates = MarketDataCsv.ParseCbrRates(rates, "cbr-rates.csv", rules);

        Assert.Empty(parsedCloses.Errors);
        Assert.Empty(parsedRates.Errors);
        Assert.Equal(File.ReadLines(SharedData.PathOf("closes.csv")).Count() - 1, parsedCloses.Rows.Count);
        Assert.Equal(File.ReadLines(SharedData.PathOf("cbr-rates.csv")).Count() - 1, parsedRates.Rows.Count);
    }

    private static readonly CloseRow GoodClose = new("binance", "BTC", "USDT", "2026-12-05", "97000.5");

    private static readonly RateRow GoodRate = new("CNY", "2026-12-05", 1, "10.9542");

    private static string ApiRateField(string field) => field switch
    {
        "date" => RateFields.Api.Date,
        _ => field,
    };

    private static string CsvRateField(string field) => field switch
    {
        "date" => RateFields.Csv.Date,
        "currency" => RateFields.Csv.Currency,
        _ => field,
    };

    private static void AssertOutcome(ImportReport report, string location, string reason, string field)
    {
        if (reason.Length == 0)
        {
            Assert.Equal((2, 0), (report.Added, report.Rejected.Count));
            return;
        }

        Assert.Equal(1, report.Added); // the good row beside it is imported
        var error = Assert.Single(report.Rejected);
        Assert.Equal((location, reason, field), (error.Location, error.Error.Reason, error.Error.Field));
        Assert.False(string.IsNullOrWhiteSpace(error.Error.Message));
    }

    private static void AssertOutcome(int rows, IReadOnlyList<ImportRowError> errors, string location, string reason, string field)
    {
        if (reason.Length == 0)
        {
            Assert.Equal((2, 0), (rows, errors.Count));
            return;
        }

        Assert.Equal(1, rows);
        var error = Assert.Single(errors);
        Assert.Equal((location, reason, field), (error.Location, error.Error.Reason, error.Error.Field));
    }
}
