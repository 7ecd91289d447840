using System.Collections.Concurrent;
using System.Globalization;
using Calc.Adapters.Cbr;
using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Calc.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Adapters.Exchanges.Tests;

/// <summary>
/// The whole path as the host wires it (AddCalcMarketData + AddCbrRates + AddExchanges), against loopback
/// fakes of CBR, Binance and Coinbase, with an in-memory shared cache.
/// </summary>
public sealed class MarketDataPathTests : IAsyncLifetime
{
    private static readonly AssetPair BtcUsdt = new("BTC", "USDT");
    private static readonly AssetPair BtcUsd = new("BTC", "USD");

    private readonly FakeCbrServer _cbr = new();
    private readonly ManualTime _time = new(new DateTimeOffset(2025, 2, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly MemoryCache _cache = new();
    private FakeVenue _binance = null!;
    private FakeVenue _coinbase = null!;
    private LoopbackServer _cbrServer = null!;
    private LoopbackServer _binanceServer = null!;
    private LoopbackServer _coinbaseServer = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _binance = new FakeVenue("binance", new SortedDictionary<DateOnly, decimal>(), new DateOnly(2025, 2, 3));
        _coinbase = new FakeVenue("coinbase", new SortedDictionary<DateOnly, decimal>(), new DateOnly(2025, 2, 3));
        _cbrServer = await LoopbackServer.StartAsync(_cbr.HandleAsync);
        _binanceServer = await LoopbackServer.StartAsync(_binance.HandleAsync);
        _coinbaseServer = await LoopbackServer.StartAsync(_coinbase.HandleAsync);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MarketData:FlightRetention"] = "00:00:00",
            ["MarketData:Sync:Enabled"] = "false",
            ["MarketData:Upstreams:Cbr:Enabled"] = "true",
            ["MarketData:Upstreams:Cbr:BaseUrl"] = _cbrServer.BaseUrl.ToString(),
            ["MarketData:Upstreams:Binance:Enabled"] = "true",
            ["MarketData:Upstreams:Binance:BaseUrl"] = _binanceServer.BaseUrl.ToString(),
            ["MarketData:Upstreams:Coinbase:Enabled"] = "true",
            ["MarketData:Upstreams:Coinbase:BaseUrl"] = _coinbaseServer.BaseUrl.ToString(),
        }.Concat(new[] { "Cbr", "Binance", "Coinbase" }.SelectMany(s => new KeyValuePair<string, string?>[]
        {
            // generous for a cold first request on a busy machine; Coinbase is the one the hang test times out
            new($"MarketData:Upstreams:{s}:Timeout", s == "Coinbase" ? "00:00:02.500" : "00:00:05"),
            new($"MarketData:Upstreams:{s}:MaxAttempts", "2"),
            new($"MarketData:Upstreams:{s}:BaseRetryDelay", "00:00:00.010"),
        }))).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IQuoteCache>(_cache);
        services.AddCalcMarketData(config).AddCbrRates(config).AddExchanges(config);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _cbrServer.DisposeAsync();
        await _binanceServer.DisposeAsync();
        await _coinbaseServer.DisposeAsync();
    }

    private IMarketData MarketData => _services.GetRequiredService<IMarketData>();

    private void LoadYearEnd()
    {
        foreach (var (day, close) in Venues.YearEnd())
        {
            _binance.Closes[day] = close;
        }

        _coinbase.Closes[new DateOnly(2024, 12, 29)] = 93563.35m;
        _coinbase.Closes[new DateOnly(2024, 12, 30)] = 92620.71m;
        _coinbase.Closes[new DateOnly(2024, 12, 31)] = 93354.22m;
        _cbr.Rates.AddRange([new("USD", new DateOnly(2024, 12, 28), 1, 101.6797m), new("USD", new DateOnly(2025, 1, 1), 1, 101.6797m)]);
    }

    private static (CloseKey[] Closes, CbrRateKey[] Rates) YearEndKeys()
    {
        var days = Enumerable.Range(0, 3).Select(i => new DateOnly(2024, 12, 29 + i)).ToArray();
        return (days.Select(d => new CloseKey("binance", BtcUsdt, d)).Concat(days.Select(d => new CloseKey("coinbase", BtcUsd, d))).ToArray(),
            days.Select(d => new CbrRateKey("USD", d)).ToArray());
    }

    [Fact]
    public async Task ColdBatch_EachUpstreamCalledOncePerRange_ThenAnsweredInProcess()
    {
        LoadYearEnd();
        var (closeKeys, rateKeys) = YearEndKeys();
        var closes = new Lookup<CloseQuote>[closeKeys.Length];
        var rates = new Lookup<CbrRateQuote>[rateKeys.Length];

        await Task.WhenAll(MarketData.GetClosesAsync(closeKeys, closes, CancellationToken.None).AsTask(), MarketData.GetCbrRatesAsync(rateKeys, rates, CancellationToken.None).AsTask());

        Assert.Equal([93738.2m, 92792.05m, 93576.0m, 93563.35m, 92620.71m, 93354.22m], closes.Select(c => c.Value!.Close.Close));
        Assert.All(closes, c => Assert.Equal((QuoteSource.Upstream, true), (c.Value!.Source, c.Value.Close.IsFinal)));
        Assert.All(rates, r => Assert.Equal((101.6797m, new DateOnly(2024, 12, 28), true), (r.Value!.Rate.Value, r.Value.Rate.EffectiveDate, r.Value.IsFinal)));
        Assert.Single(_binanceServer.Requests);
        Assert.Single(_coinbaseServer.Requests);
        Assert.Equal("/scripts/XML_dynamic.asp?date_req1=15/11/2024&date_req2=31/12/2024&VAL_NM_RQ=R01235", Assert.Single(_cbrServer.Requests));
        Assert.Equal(6, _cache.Closes.Count(kv => kv.Key.Date.Month == 12 && kv.Key.Date.Day >= 29));

        await MarketData.GetClosesAsync(closeKeys, closes, CancellationToken.None);
        await MarketData.GetCbrRatesAsync(rateKeys, rates, CancellationToken.None);

        Assert.All(closes, c => Assert.Equal(QuoteSource.Memory, c.Value!.Source));
        Assert.All(rates, r => Assert.Equal(QuoteSource.Memory, r.Value!.Source));
        Assert.Single(_binanceServer.Requests);
        Assert.Single(_cbrServer.Requests);
    }

    [Fact]
    public async Task UpstreamFaults_PerItemErrorsWithReasons_NothingCached_ThenRecover()
    {
        LoadYearEnd();
        _cbr.Fault = (ctx, _) =>
        {
            ctx.Response.StatusCode = 500;
            return Task.FromResult(true);
        };
        _binance.Fault = async (ctx, _) =>
        {
            await ctx.Response.WriteAsync("[[1735603200000,\"oops\"]]");
            return true;
        };
        _coinbase.Fault = async (ctx, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
            return true;
        };
        var (closeKeys, rateKeys) = YearEndKeys();
        var closes = new Lookup<CloseQuote>[closeKeys.Length];
        var rates = new Lookup<CbrRateQuote>[rateKeys.Length];

        await MarketData.GetClosesAsync(closeKeys, closes, CancellationToken.None);
        await MarketData.GetCbrRatesAsync(rateKeys, rates, CancellationToken.None);
        var health = await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.All(closes[..3], c => Assert.Equal(Reasons.UpstreamInvalidResponse, c.Error!.Reason));
        Assert.All(closes[3..], c =>
        {
            Assert.Equal(Reasons.UpstreamUnavailable, c.Error!.Reason);
            Assert.Contains("no answer within", c.Error.Message, StringComparison.Ordinal);
        });
        Assert.All(rates, r =>
        {
            Assert.Equal(Reasons.UpstreamUnavailable, r.Error!.Reason);
            Assert.Contains("HTTP 500", r.Error.Message, StringComparison.Ordinal);
        });
        Assert.Empty(_cache.Closes);
        Assert.Empty(_cache.Rates);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal(HealthStatus.Degraded, health.Entries["market-data"].Status);

        _cbr.Fault = null;
        _binance.Fault = null;
        _coinbase.Fault = null;
        await MarketData.GetClosesAsync(closeKeys, closes, CancellationToken.None);
        await MarketData.GetCbrRatesAsync(rateKeys, rates, CancellationToken.None);
        var healed = await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.All(closes, c => Assert.True(c.Ok));
        Assert.All(rates, r => Assert.True(r.Ok));
        Assert.Equal(HealthStatus.Healthy, healed.Status);
    }

    [SharedDataFact]
    public async Task RealSeries_ColdMonthEndBatch_EqualsFilesWithOneCallPerUpstream()
    {
        foreach (var (file, fake) in new[] { ("btc-usdt-binance-daily-close.csv", _binance), ("btc-usd-coinbase-daily-close.csv", _coinbase) })
        {
            foreach (var line in File.ReadLines(SharedData.PathOf(file)).Skip(1))
            {
                var f = line.Split(',');
                fake.Closes[DateOnly.Parse(f[0], CultureInfo.InvariantCulture)] = decimal.Parse(f[1], CultureInfo.InvariantCulture);
            }
        }

        using (var reader = new StreamReader(SharedData.PathOf("cbr-rates.csv")))
        {
            _cbr.Rates.AddRange(MarketDataCsv.ParseCbrRates(reader, "cbr-rates.csv", new ImportRules(TimeProvider.System, VenueRegistry.SupportedOnly)).Rows.Where(r => r.Currency == "USD"));
        }

        _time.Now = new DateTimeOffset(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);
        _binance.Today = _coinbase.Today = new DateOnly(2025, 9, 1);
        var days = Enumerable.Range(1, 31).Select(d => new DateOnly(2025, 8, d)).ToArray();
        var closeKeys = days.Select(d => new CloseKey("binance", BtcUsdt, d)).Concat(days.Select(d => new CloseKey("coinbase", BtcUsd, d))).ToArray();
        var rateKeys = days.Select(d => new CbrRateKey("USD", d)).ToArray();
        var closes = new Lookup<CloseQuote>[closeKeys.Length];
        var rates = new Lookup<CbrRateQuote>[rateKeys.Length];

        await Task.WhenAll(MarketData.GetClosesAsync(closeKeys, closes, CancellationToken.None).AsTask(), MarketData.GetCbrRatesAsync(rateKeys, rates, CancellationToken.None).AsTask());

        for (int i = 0; i < closeKeys.Length; i++)
        {
            var fake = closeKeys[i].Venue == "binance" ? _binance : _coinbase;
            Assert.Equal(fake.Closes[closeKeys[i].Date], closes[i].Value!.Close.Close);
        }

        for (int i = 0; i < rateKeys.Length; i++)
        {
            var expected = _cbr.Rates.Where(r => r.EffectiveDate <= rateKeys[i].Date).MaxBy(r => r.EffectiveDate);
            Assert.Equal(expected, rates[i].Value!.Rate);
        }

        Assert.Single(_binanceServer.Requests);
        Assert.Single(_coinbaseServer.Requests);
        Assert.Single(_cbrServer.Requests);
    }

    /// <summary>The shared cache in memory (the real Redis path is tested by the Redis adapter).</summary>
    private sealed class MemoryCache : IQuoteCache
    {
        public ConcurrentDictionary<CloseKey, DailyClose> Closes { get; } = new();

        public ConcurrentDictionary<CbrRateKey, CbrRate> Rates { get; } = new();

        public CacheState State => CacheState.Connected;

        public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                results[i] = Closes.TryGetValue(keys[i], out var c) ? c : null;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken)
        {
            foreach (var c in closes)
            {
                Closes[new CloseKey(c.Venue, c.Pair, c.Date)] = c;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                results[i] = Rates.TryGetValue(keys[i], out var r) ? r : null;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken)
        {
            foreach (var (date, rate) in rates)
            {
                Rates[new CbrRateKey(rate.Currency, date)] = rate;
            }

            return ValueTask.CompletedTask;
        }
    }
}
