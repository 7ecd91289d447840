using System.Globalization;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Tests.Shared;
using Microsoft.AspNetCore.Http;

namespace Calc.Adapters.Exchanges.Tests;

public sealed class ExchangeClientTests
{
    private static async Task<(LoopbackServer Server, FixedHttpClientFactory Factory, Common.ExchangeClient Client)> Start(
        FakeVenue fake, ManualTime time, int attempts = 2)
    {
        var server = await LoopbackServer.StartAsync(fake.HandleAsync);
        var factory = new FixedHttpClientFactory(server.BaseUrl);
        return (server, factory, Venues.Create(fake.Venue, factory, time, Venues.Fast(server.BaseUrl, attempts)));
    }

    [Theory]
    [MemberData(nameof(Venues.All), MemberType = typeof(Venues))]
    public async Task GetClosesAsync_ClosedDays_ReturnsEachDayCloseAsFinal(string venue)
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var (server, factory, client) = await Start(new FakeVenue(venue, Venues.YearEnd(), new DateOnly(2025, 3, 1)), time);
        await using var _ = server;
        using var __ = factory;

        var closes = await client.GetClosesAsync(Venues.PairOf(venue), new DateOnly(2024, 12, 29), new DateOnly(2024, 12, 31), CancellationToken.None);

        Assert.Equal([93738.2m, 92792.05m, 93576.0m], closes.Select(c => c.Close));
        Assert.Equal([new DateOnly(2024, 12, 29), new DateOnly(2024, 12, 30), new DateOnly(2024, 12, 31)], closes.Select(c => c.Date));
        Assert.All(closes, c =>
        {
            Assert.True(c.IsFinal);
            Assert.Equal(venue, c.Venue);
            Assert.Equal(Venues.PairOf(venue), c.Pair);
        });
        Assert.Single(server.Requests);
    }

    [Theory]
    [MemberData(nameof(Venues.All), MemberType = typeof(Venues))]
    public async Task GetClosesAsync_RangeReachingIntoTheOpenUtcDay_NeverReturnsTodayAsFinal(string venue)
    {
        var today = new DateOnly(2025, 1, 2);
        var time = new ManualTime(Venues.Noon(today));
        var (server, factory, client) = await Start(new FakeVenue(venue, Venues.YearEnd(), today), time);
        await using var _ = server;
        using var __ = factory;

        var closes = await client.GetClosesAsync(Venues.PairOf(venue), new DateOnly(2024, 12, 31), new DateOnly(2025, 1, 5), CancellationToken.None);

        Assert.Equal([93576.0m, 94591.79m], closes.Where(c => c.IsFinal).Select(c => c.Close));
        Assert.DoesNotContain(closes, c => c.Date == today && c.IsFinal);
        Assert.DoesNotContain(closes, c => c.Date > today);
    }

    [SharedDataTheory]
    [MemberData(nameof(Venues.All), MemberType = typeof(Venues))]
    public async Task GetClosesAsync_RealBinanceSeriesOverThreeYears_PagesWithinTheVenueLimitAndReturnsEveryDay(string venue)
    {
        var series = new SortedDictionary<DateOnly, decimal>();
        foreach (var line in File.ReadLines(SharedData.PathOf("btc-usdt-binance-daily-close.csv")).Skip(1))
        {
            var f = line.Split(',');
            series[DateOnly.Parse(f[0], CultureInfo.InvariantCulture)] = decimal.Parse(f[1], CultureInfo.InvariantCulture);
        }

        var last = series.Keys.Max();
        var today = last.AddDays(1);
        series[today] = 1m; // the open candle, which must never come back as final
        var time = new ManualTime(Venues.Noon(today));
        var (server, factory, client) = await Start(new FakeVenue(venue, series, today), time);
        await using var _ = server;
        using var __ = factory;

        var closes = await client.GetClosesAsync(Venues.PairOf(venue), series.Keys.Min(), last, CancellationToken.None);

        var expected = series.Where(kv => kv.Key <= last).ToList();
        if (venue == "kraken")
        {
            // Kraken keeps only the 720 most recent candles, the open one included
            expected = expected.TakeLast(719).ToList();
        }
        else if (venue == "htx")
        {
            // HTX answers only the 2000 most recent candles, the open one included
            expected = expected.TakeLast(1999).ToList();
        }

        Assert.Equal(expected.Select(kv => (kv.Key, kv.Value)), closes.Select(c => (c.Date, c.Close)));
        Assert.All(closes, c => Assert.True(c.IsFinal));
        int pageSize = venue switch { "okx" => 100, "coinbase" => 300, "kucoin" => 1500, "kraken" or "htx" => int.MaxValue, _ => 1000 };
        int days = last.DayNumber - series.Keys.Min().DayNumber + 1;
        Assert.Equal(pageSize == int.MaxValue ? 1 : (days + pageSize - 1) / pageSize, server.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Venues.All), MemberType = typeof(Venues))]
    public async Task GetClosesAsync_GarbageBody_ThrowsInvalidResponse(string venue)
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue(venue, Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = async (ctx, _) =>
            {
                await ctx.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
                return true;
            },
        };
        var (server, factory, client) = await Start(fake, time);
        await using var _ = server;
        using var __ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(Venues.PairOf(venue), new DateOnly(2024, 12, 29), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamInvalidResponse, e.Reason);
        Assert.Equal(venue, e.Source);
    }

    [Theory]
    [MemberData(nameof(Venues.All), MemberType = typeof(Venues))]
    public async Task GetClosesAsync_ServerErrors_RetriesThenThrowsUnavailable(string venue)
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue(venue, Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = (ctx, _) =>
            {
                ctx.Response.StatusCode = 503;
                return Task.FromResult(true);
            },
        };
        var (server, factory, client) = await Start(fake, time, attempts: 3);
        await using var _ = server;
        using var __ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(Venues.PairOf(venue), new DateOnly(2024, 12, 29), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamUnavailable, e.Reason);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task GetClosesAsync_RateLimitedWithRetryAfter_WaitsThenSucceeds()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("binance", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = (ctx, n) =>
            {
                if (n > 1)
                {
                    return Task.FromResult(false);
                }

                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = "1";
                return Task.FromResult(true);
            },
        };
        var (server, factory, client) = await Start(fake, time);
        await using var _ = server;
        using var __ = factory;
        long started = TimeProvider.System.GetTimestamp();

        var closes = await client.GetClosesAsync(Venues.PairOf("binance"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None);

        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(0.9));
        Assert.Equal(93576.0m, Assert.Single(closes).Close);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetClosesAsync_RateLimitedWithoutRetryAfter_BacksOffAndSucceeds()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("bybit", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = (ctx, n) =>
            {
                ctx.Response.StatusCode = 429;
                return Task.FromResult(n <= 2);
            },
        };
        var (server, factory, client) = await Start(fake, time, attempts: 3);
        await using var _ = server;
        using var __ = factory;

        var closes = await client.GetClosesAsync(Venues.PairOf("bybit"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None);

        Assert.Equal(93576.0m, Assert.Single(closes).Close);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task GetClosesAsync_ServerHangs_TimesOut()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("coinbase", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = async (ctx, _) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
                return true;
            },
        };
        var server = await LoopbackServer.StartAsync(fake.HandleAsync);
        await using var _ = server;
        using var factory = new FixedHttpClientFactory(server.BaseUrl);
        var options = Venues.Fast(server.BaseUrl, attempts: 1);
        options.Timeout = TimeSpan.FromMilliseconds(200);
        var client = Venues.Create("coinbase", factory, time, options);

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(Venues.PairOf("coinbase"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamUnavailable, e.Reason);
        Assert.Contains("no answer within", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClosesAsync_OkxCandleOnHongKongDayBoundary_IsRejected()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("okx", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = async (ctx, _) =>
            {
                // what bar=1D would answer: the 2024-12-31 Hong Kong day opens at 16:00 UTC on the 30th
                await ctx.Response.WriteAsync("{\"code\":\"0\",\"msg\":\"\",\"data\":[[\"1735574400000\",\"92000\",\"93000\",\"91000\",\"93500\",\"1\",\"1\",\"1\",\"1\"]]}");
                return true;
            },
        };
        var (server, factory, client) = await Start(fake, time);
        await using var _ = server;
        using var __ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(Venues.PairOf("okx"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamInvalidResponse, e.Reason);
        Assert.Contains("00:00 UTC", e.Message, StringComparison.Ordinal);
        Assert.Contains("bar=1Dutc", Assert.Single(server.Requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClosesAsync_OkxUnconfirmedCandle_IsNotFinal()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("okx", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = async (ctx, _) =>
            {
                await ctx.Response.WriteAsync("{\"code\":\"0\",\"msg\":\"\",\"data\":[[\"1735603200000\",\"92000\",\"93000\",\"91000\",\"93500.1\",\"1\",\"1\",\"1\",\"0\"]]}");
                return true;
            },
        };
        var (server, factory, client) = await Start(fake, time);
        await using var _ = server;
        using var __ = factory;

        var close = Assert.Single(await client.GetClosesAsync(Venues.PairOf("okx"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(93500.1m, close.Close);
        Assert.False(close.IsFinal);
    }

    [Fact]
    public async Task GetClosesAsync_BybitRateLimitRetCode_ThrowsUnavailable()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("bybit", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = async (ctx, _) =>
            {
                await ctx.Response.WriteAsync("{\"retCode\":10006,\"retMsg\":\"Too many visits!\",\"result\":{},\"retExtInfo\":{},\"time\":1735689600000}");
                return true;
            },
        };
        var (server, factory, client) = await Start(fake, time);
        await using var _ = server;
        using var __ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(Venues.PairOf("bybit"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamUnavailable, e.Reason);
        Assert.Contains("10006", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count); // retried once (MaxAttempts 2), then reported
    }

    [Fact]
    public async Task GetClosesAsync_KrakenRateLimitErrorOnce_RetriedAndSucceeds()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var fake = new FakeVenue("kraken", Venues.YearEnd(), new DateOnly(2025, 3, 1))
        {
            Fault = async (ctx, n) =>
            {
                if (n > 1)
                {
                    return false;
                }

                await ctx.Response.WriteAsync("{\"error\":[\"EGeneral:Too many requests\"]}");
                return true;
            },
        };
        var (server, factory, client) = await Start(fake, time);
        await using var _ = server;
        using var __ = factory;

        var closes = await client.GetClosesAsync(Venues.PairOf("kraken"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None);

        Assert.Equal(93576.0m, Assert.Single(closes).Close);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetClosesAsync_KrakenUnknownPair_ThrowsUnknownPair()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var (server, factory, client) = await Start(new FakeVenue("kraken", Venues.YearEnd(), new DateOnly(2025, 3, 1)), time);
        await using var _ = server;
        using var __ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(new Domain.Quotes.AssetPair("SOL", "EUR"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UnknownPair, e.Reason);
    }

    [Fact]
    public async Task GetClosesAsync_BinanceUnknownSymbol_ThrowsInvalidResponseWithVenueMessage()
    {
        var time = new ManualTime(Venues.Noon(new DateOnly(2025, 3, 1)));
        var (server, factory, client) = await Start(new FakeVenue("binance", Venues.YearEnd(), new DateOnly(2025, 3, 1)), time);
        await using var _ = server;
        using var __ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetClosesAsync(new Domain.Quotes.AssetPair("NOPE", "USDT"), new DateOnly(2024, 12, 31), new DateOnly(2024, 12, 31), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamInvalidResponse, e.Reason);
        Assert.Contains("Invalid symbol", e.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("binance", "BTCUSDT")]
    [InlineData("bybit", "BTCUSDT")]
    [InlineData("okx", "BTC-USDT")]
    [InlineData("coinbase", "BTC-USD")]
    [InlineData("kraken", "XBTUSD")]
    [InlineData("bitstamp", "btcusd")]
    [InlineData("kucoin", "BTC-USDT")]
    [InlineData("mexc", "BTCUSDT")]
    [InlineData("htx", "btcusdt")]
    [InlineData("gate", "BTC_USDT")]
    public void Symbol_BitcoinPair_UsesTheVenueSpelling(string venue, string expected)
    {
        using var factory = new FixedHttpClientFactory(new Uri("http://127.0.0.1:9/"));
        var client = Venues.Create(venue, factory, TimeProvider.System, Venues.Fast(new Uri("http://127.0.0.1:9/")));

        Assert.Equal(expected, client.Symbol(Venues.PairOf(venue)));
    }
}
