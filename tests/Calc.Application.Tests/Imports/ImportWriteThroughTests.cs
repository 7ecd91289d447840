using System.Collections.Concurrent;
using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Application.Valuation;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;

namespace Calc.Application.Tests.Imports;

/// <summary>Imports write their accepted final values through to the shared cache port, fail-open.</summary>
public sealed class ImportWriteThroughTests
{
    private static readonly DateTimeOffset Now = new(2024, 4, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly AssetPair BtcUsdt = new("BTC", "USDT");
    private static readonly AssetPair EthUsdt = new("ETH", "USDT");

    [Fact]
    public async Task ImportCloses_CacheConnected_AcceptedFinalValuesAreWrittenThrough()
    {
        // Arrange: one row already held with another value (a conflict), one malformed, two good
        var cache = new RecordingCache();
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("binance", BtcUsdt, new DateOnly(2024, 3, 29), 69_850.54m, true)], overwrite: false);
        await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());
        var imports = Commands(store, writeThrough);

        // Act
        var report = imports.ImportCloses(
        [
            new CloseRow("binance", "BTC", "USDT", "2024-03-30", "69582.18"),
            new CloseRow("binance", "BTC", "USDT", "2024-03-29", "1.00"),
            new CloseRow("Binance!", "BTC", "USDT", "2024-03-31", "71280.01"),
            new CloseRow("binance", "ETH", "USDT", "2024-03-31", "3645.29"),
        ], overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(2, report.Added);
        Assert.Equal(["1", "2"], report.Rejected.Select(r => r.Location));
        Assert.Equal(
            [
                new DailyClose("binance", BtcUsdt, new DateOnly(2024, 3, 30), 69_582.18m, true),
                new DailyClose("binance", EthUsdt, new DateOnly(2024, 3, 31), 3_645.29m, true),
            ],
            cache.Closes.OrderBy(c => c.Date));
        Assert.Equal((2L, 0L), (writeThrough.ValuesWritten, writeThrough.ValuesFailed));
    }

    [Fact]
    public async Task ImportCloses_Overwrite_ReplacedAndUnchangedValuesAreWrittenToo()
    {
        // Arrange: a replica may have missed the first import, so an unchanged value is shared again
        var cache = new RecordingCache();
        var store = new MarketDataStore();
        store.ImportCloses(
        [
            new DailyClose("binance", BtcUsdt, new DateOnly(2024, 3, 29), 69_000m, true),
            new DailyClose("binance", BtcUsdt, new DateOnly(2024, 3, 30), 69_582.18m, true),
        ], overwrite: false);
        await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());

        // Act
        var report = Commands(store, writeThrough).ImportCloses(
        [
            new CloseRow("binance", "BTC", "USDT", "2024-03-29", "69850.54"),
            new CloseRow("binance", "BTC", "USDT", "2024-03-30", "69582.18"),
        ], overwrite: true);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal((1, 1), (report.Replaced, report.Unchanged));
        Assert.Equal([69_850.54m, 69_582.18m], cache.Closes.OrderBy(c => c.Date).Select(c => c.Close));
    }

    [Fact]
    public async Task ImportCloses_CacheDown_ImportSucceedsStoreHasTheValuesAndTheFailureIsCountedAndLogged()
    {
        // Arrange
        var cache = new RecordingCache { State = CacheState.Degraded, Takes = false };
        var store = new MarketDataStore();
        var logger = new ListLogger<ImportWriteThrough>();
        await using var writeThrough = new ImportWriteThrough(cache, store, logger) { ConnectGrace = TimeSpan.Zero };

        // Act
        var report = Commands(store, writeThrough).ImportCloses(
        [
            new CloseRow("binance", "BTC", "USDT", "2024-03-30", "69582.18"),
            new CloseRow("binance", "BTC", "USDT", "2024-03-31", "71280.01"),
        ], overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(2, report.Added);
        Assert.Empty(report.Rejected);
        Assert.True(store.TryGetClose(new CloseKey("binance", BtcUsdt, new DateOnly(2024, 3, 31)), out var held));
        Assert.Equal(71_280.01m, held.Close);
        Assert.Equal((2L, 0L), (writeThrough.ValuesFailed, writeThrough.ValuesWritten));
        var warning = Assert.Single(logger.Entries, e => e.EventId == 3202);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("2 of 2", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportRates_CachePortThrows_ImportSucceedsAndTheValuesCountAsFailed()
    {
        // Arrange: a port that breaks its fail-open promise must not break imports either
        var cache = new RecordingCache { Throws = true };
        var store = new MarketDataStore();
        await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());

        // Act
        var report = Commands(store, writeThrough).ImportRates([new RateRow("USD", "2024-03-29", 1, "92.2628")], overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(1, report.Added);
        Assert.Equal(1L, writeThrough.ValuesFailed);
        Assert.NotNull(store.GetSeries("USD"));
    }

    [Fact]
    public async Task ImportRates_WritesTheRateInForceOnEachDayUpToTheNextRate()
    {
        // Arrange: CBR set USD 92.3660 effective Saturday 2024-03-30, next 92.2914 effective Tuesday 2024-04-02
        var cache = new RecordingCache();
        var store = new MarketDataStore();
        await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());

        // Act
        Commands(store, writeThrough).ImportRates(
        [
            new RateRow("USD", "2024-03-30", 1, "92.3660"),
            new RateRow("USD", "2024-04-02", 1, "92.2914"),
        ], overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: the weekend and Monday carry Saturday's rate; after the last rate nothing is claimed
        var saturday = new CbrRate("USD", new DateOnly(2024, 3, 30), 1, 92.3660m);
        var tuesday = new CbrRate("USD", new DateOnly(2024, 4, 2), 1, 92.2914m);
        Assert.Equal(
            [
                (new DateOnly(2024, 3, 30), saturday),
                (new DateOnly(2024, 3, 31), saturday),
                (new DateOnly(2024, 4, 1), saturday),
                (new DateOnly(2024, 4, 2), tuesday),
            ],
            cache.Rates.OrderBy(e => e.Date));
    }

    [Fact]
    public async Task ImportRates_NewRateAfterAnEarlierOne_CompletesTheEarlierRatesDays()
    {
        // Arrange: 2024-03-29 is held (imported before); importing 2024-03-30 settles what was in force before it
        var cache = new RecordingCache();
        var store = new MarketDataStore();
        store.ImportCbrRates([new CbrRate("USD", new DateOnly(2024, 3, 28), 1, 92.5919m)], overwrite: false);
        await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());

        // Act
        Commands(store, writeThrough).ImportRates([new RateRow("USD", "2024-03-30", 1, "92.3660")], overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(
            [
                (new DateOnly(2024, 3, 28), 92.5919m),
                (new DateOnly(2024, 3, 29), 92.5919m),
                (new DateOnly(2024, 3, 30), 92.3660m),
            ],
            cache.Rates.OrderBy(e => e.Date).Select(e => (e.Date, e.Rate.Value)));
    }

    [Fact]
    public async Task ImportCloses_ManyValues_WrittenInBatchesOfBatchSize()
    {
        // Arrange
        var cache = new RecordingCache();
        var store = new MarketDataStore();
        await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());
        var first = new DateOnly(2020, 1, 1);
        var rows = Enumerable.Range(0, 1_200)
            .Select(d => new CloseRow("binance", "BTC", "USDT", first.AddDays(d).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "7200.5"))
            .ToArray();

        // Act
        Commands(store, writeThrough).ImportCloses(rows, overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal([ImportWriteThrough.BatchSize, ImportWriteThrough.BatchSize, 200], cache.CloseBatchSizes);
        Assert.Equal(1_200L, writeThrough.ValuesWritten);
    }

    [Fact]
    public async Task ImportCloses_EmbeddedModeWithoutSharedCache_NothingWrittenNothingFailed()
    {
        // Arrange
        var store = new MarketDataStore();
        await using var writeThrough = new ImportWriteThrough(NoQuoteCache.Instance, store, new ListLogger<ImportWriteThrough>());

        // Act
        var report = Commands(store, writeThrough).ImportCloses([new CloseRow("binance", "BTC", "USDT", "2024-03-30", "69582.18")], overwrite: false);
        await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(1, report.Added);
        Assert.Equal((0L, 0L), (writeThrough.ValuesWritten, writeThrough.ValuesFailed));
    }

    [Fact]
    public async Task StartupImport_WithWriteThrough_FilesValuesReachTheCache()
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("calc-import-wt-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, StartupImport.ClosesFile),
                "venue,base,quote,date,close\nbinance,BTC,USDT,2024-03-30,69582.18\nbinance,BTC,USDT,2024-03-31,71280.01\n");
            File.WriteAllText(Path.Combine(dir.FullName, StartupImport.CbrRatesFile),
                "date,char_code,nominal,value\n2024-03-30,USD,1,92.3660\n2024-04-02,USD,1,92.2914\n");
            var cache = new RecordingCache();
            var store = new MarketDataStore();
            await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());

            // Act
            var report = StartupImport.Run(store, dir.FullName, ImportErrorMode.Fail, new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly), writeThrough);
            await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

            // Assert
            Assert.Equal(4, report.Added);
            Assert.Equal([69_582.18m, 71_280.01m], cache.Closes.OrderBy(c => c.Date).Select(c => c.Close));
            Assert.Equal(4, cache.Rates.Count); // 03-30, 03-31, 04-01 (Saturday's rate) and 04-02
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task StartupImport_FailModeAndAConflictingRow_StartupFailsAndNothingIsShared()
    {
        // Arrange: the store already holds another close for 2024-03-31; the file's other row is fine
        var dir = Directory.CreateTempSubdirectory("calc-import-wt-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, StartupImport.ClosesFile),
                "venue,base,quote,date,close\nbinance,BTC,USDT,2024-03-30,69582.18\nbinance,BTC,USDT,2024-03-31,71280.01\n");
            var cache = new RecordingCache();
            var store = new MarketDataStore();
            store.ImportCloses([new DailyClose("binance", BtcUsdt, new DateOnly(2024, 3, 31), 70_000m, true)], overwrite: false);
            await using var writeThrough = new ImportWriteThrough(cache, store, new ListLogger<ImportWriteThrough>());

            // Act
            var error = Record.Exception(() => StartupImport.Run(store, dir.FullName, ImportErrorMode.Fail, new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly), writeThrough));
            await writeThrough.WhenWrittenAsync().WaitAsync(TimeSpan.FromSeconds(30));

            // Assert
            Assert.IsType<Calc.Domain.Errors.CalcException>(error);
            Assert.Empty(cache.Closes);
            Assert.Equal(0L, writeThrough.ValuesWritten);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static ImportCommands Commands(MarketDataStore store, ImportWriteThrough writeThrough) =>
        new(store, new ImportRules(new ManualTime(Now), VenueRegistry.SupportedOnly), new ValuationOptions(), writeThrough);

    /// <summary>A cache port that records what it is given; it can be down (takes nothing) or broken (throws).</summary>
    private sealed class RecordingCache : IQuoteCache
    {
        public CacheState State { get; init; } = CacheState.Connected;

        public bool Takes { get; init; } = true;

        public bool Throws { get; init; }

        public ConcurrentBag<DailyClose> Closes { get; } = [];

        public ConcurrentBag<(DateOnly Date, CbrRate Rate)> Rates { get; } = [];

        public List<int> CloseBatchSizes { get; } = [];

        public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken) =>
            await TryStoreClosesAsync(closes, cancellationToken);

        public async ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken) =>
            await TryStoreCbrRatesAsync(rates, cancellationToken);

        public ValueTask<bool> TryStoreClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken)
        {
            Check();
            lock (CloseBatchSizes)
            {
                CloseBatchSizes.Add(closes.Count);
            }

            if (Takes)
            {
                foreach (var c in closes)
                {
                    Closes.Add(c);
                }
            }

            return ValueTask.FromResult(Takes);
        }

        public ValueTask<bool> TryStoreCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken)
        {
            Check();
            if (Takes)
            {
                foreach (var r in rates)
                {
                    Rates.Add(r);
                }
            }

            return ValueTask.FromResult(Takes);
        }

        private void Check()
        {
            if (Throws)
            {
                throw new InvalidOperationException("broken cache port");
            }
        }
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        private readonly List<(int EventId, LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(int EventId, LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((eventId.Id, logLevel, formatter(state, exception)));
            }
        }
    }
}
