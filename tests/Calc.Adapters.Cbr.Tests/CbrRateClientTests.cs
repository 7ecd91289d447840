using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Cbr.Tests;

public sealed class CbrRateClientTests
{
    private static CbrRateClient Client(Uri baseUrl, out FixedHttpClientFactory factory, TimeSpan? timeout = null, int attempts = 3)
    {
        factory = new FixedHttpClientFactory(baseUrl);
        var options = new MarketDataOptions();
        options.Upstreams.Cbr = new UpstreamOptions
        {
            Enabled = true,
            BaseUrl = baseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
            MaxAttempts = attempts,
            BaseRetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
        };
        return new CbrRateClient(factory, Options.Create(options), TimeProvider.System, NullLogger<CbrRateClient>.Instance);
    }

    private static Func<HttpContext, int, Task> Serve(byte[] body) => async (ctx, _) =>
    {
        ctx.Response.ContentType = "application/xml; charset=windows-1251";
        await ctx.Response.Body.WriteAsync(body);
    };

    [SharedDataFact]
    public async Task GetRatesAsync_RecordedDynamicResponse_ReturnsRatesAndSendsCbrQuery()
    {
        await using var server = await LoopbackServer.StartAsync(Serve(Samples.Read(Samples.UsdMar1To5)));
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;

        var rates = await client.GetRatesAsync("USD", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 5), CancellationToken.None);

        Assert.Equal("/scripts/XML_dynamic.asp?date_req1=01/03/2026&date_req2=05/03/2026&VAL_NM_RQ=R01235", Assert.Single(server.Requests));
        Assert.Equal(
            [new("USD", new DateOnly(2026, 3, 3), 1, 77.1734m), new("USD", new DateOnly(2026, 3, 4), 1, 77.6093m), new Domain.Quotes.CbrRate("USD", new DateOnly(2026, 3, 5), 1, 77.8009m)],
            rates);
    }

    [SharedDataFact]
    public async Task GetRatesAsync_AnswerForAnotherCurrency_ThrowsInvalidResponse()
    {
        await using var server = await LoopbackServer.StartAsync(Serve(Samples.Read(Samples.EurMar1To19)));
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetRatesAsync("USD", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 19), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamInvalidResponse, e.Reason);
    }

    [SharedDataFact]
    public async Task GetDailyAsync_NoDate_ReturnsLatestRegisteredDate()
    {
        await using var server = await LoopbackServer.StartAsync(Serve(Samples.Read(Samples.DailySunday)));
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;

        var daily = await client.GetDailyAsync(null, CancellationToken.None);

        Assert.Equal(new DateOnly(2026, 4, 25), daily.Date);
        Assert.Equal("/scripts/XML_daily.asp", Assert.Single(server.Requests));
    }

    [Fact]
    public async Task GetRatesAsync_HtmlInsteadOfXml_ThrowsInvalidResponseWithoutRetry()
    {
        await using var server = await LoopbackServer.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync("<html><head><title>DDoS-Guard</title></head></html>");
        });
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetRatesAsync("USD", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 5), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamInvalidResponse, e.Reason);
        Assert.Equal("cbr", e.Source);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetRatesAsync_ServerErrorEveryTime_RetriesThenThrowsUnavailable()
    {
        await using var server = await LoopbackServer.StartAsync((ctx, _) =>
        {
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var client = Client(server.BaseUrl, out var factory, attempts: 3);
        using var _ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetRatesAsync("USD", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 5), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamUnavailable, e.Reason);
        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task GetRatesAsync_RateLimitedOnceWithRetryAfter_WaitsAndSucceeds()
    {
        byte[] ok = System.Text.Encoding.UTF8.GetBytes("<ValCurs ID=\"R01235\" DateRange1=\"01.01.2024\" DateRange2=\"10.01.2024\"><Record Date=\"10.01.2024\" Id=\"R01235\"><Nominal>1</Nominal><Value>90,4153</Value></Record></ValCurs>");
        await using var server = await LoopbackServer.StartAsync(async (ctx, n) =>
        {
            if (n == 1)
            {
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = "1";
                return;
            }

            await ctx.Response.Body.WriteAsync(ok);
        });
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;
        long started = TimeProvider.System.GetTimestamp();

        var rates = await client.GetRatesAsync("USD", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 10), CancellationToken.None);

        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(0.9), "Retry-After: 1 was not honoured");
        Assert.Equal(90.4153m, Assert.Single(rates).Value);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetRatesAsync_RetryAfterLongerThanAllowed_FailsAtOnceCarryingTheWait()
    {
        await using var server = await LoopbackServer.StartAsync((ctx, _) =>
        {
            ctx.Response.StatusCode = 429;
            ctx.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        });
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetRatesAsync("USD", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 10), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(120), e.RetryAfter);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetRatesAsync_ServerHangs_TimesOutPerAttempt()
    {
        await using var server = await LoopbackServer.StartAsync(async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted));
        var client = Client(server.BaseUrl, out var factory, timeout: TimeSpan.FromMilliseconds(200), attempts: 2);
        using var _ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetRatesAsync("USD", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 10), CancellationToken.None));

        Assert.Equal(Reasons.UpstreamUnavailable, e.Reason);
        Assert.Contains("no answer within", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetRatesAsync_CurrencyWithoutCbrId_ThrowsUnknownCurrencyWithoutCalling()
    {
        await using var server = await LoopbackServer.StartAsync((ctx, _) => Task.CompletedTask);
        var client = Client(server.BaseUrl, out var factory);
        using var _ = factory;

        var e = await Assert.ThrowsAsync<UpstreamException>(() => client.GetRatesAsync("USDT", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 10), CancellationToken.None));

        Assert.Equal(Reasons.UnknownCurrency, e.Reason);
        Assert.Empty(server.Requests);
    }
}
