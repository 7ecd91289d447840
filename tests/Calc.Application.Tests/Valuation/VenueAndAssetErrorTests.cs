using Calc.Application.Collateral;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Quotes;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;

namespace Calc.Application.Tests.Valuation;

/// <summary>
/// What a client gets for a venue Calc does not know, an asset it holds no series of, and a lower-case code:
/// the same reason and field in quotes, income and collateral.
/// </summary>
public sealed class VenueAndAssetErrorTests
{
    private static readonly DateOnly Day = new(2025, 3, 14);

    private static (Pricer Pricer, ValuationOptions Options) Market() => (new Pricer(Tiered()), new ValuationOptions());

    private static TieredMarketData Tiered()
    {
        var store = new MarketDataStore();
        store.ImportCloses([new DailyClose("binance", Build.BtcUsdt, Day, 80000m, true)], overwrite: false);
        store.ImportCbrRates([new CbrRate("USD", Day, 1, 87.5m)], overwrite: false);
        return Build.Tiered(new ManualTime(Build.Utc(2026, 12, 7)), store);
    }

    private static QuoteQueries Queries()
    {
        var market = Tiered();
        return new QuoteQueries(market, new Pricer(market), new ValuationOptions());
    }

    private static async Task<CalcError> QuoteError(string asset, string venue)
    {
        var queries = Queries();
        var result = await queries.GetQuoteAsync(new QuoteRequest(asset, "USDT", venue, "2025-03-14", false), CancellationToken.None);
        return result.Error ?? throw new InvalidOperationException($"{asset}@{venue} was priced");
    }

    [Fact]
    public async Task GetQuote_KnownVenueAndHeldPair_IsPriced()
    {
        var queries = Queries();

        var result = await queries.GetQuoteAsync(new QuoteRequest("BTC", "USDT", "binance", "2025-03-14", false), CancellationToken.None);

        Assert.Equal(80000m * 87.5m, result.Value!.PriceRub);
    }

    [Fact]
    public async Task GetQuote_UnknownVenue_IsUnknownVenueNamingTheKnownOnes()
    {
        var error = await QuoteError("BTC", "moex");

        Assert.Equal((Reasons.UnknownVenue, "venue"), (error.Reason, error.Field));
        Assert.Equal(
            "venue 'moex' is not known to Calc: known venues are binance, bitstamp, bybit, coinbase, gate, htx, kraken, kucoin, mexc, okx (closes held for: binance)",
            error.Message);
    }

    [Fact]
    public async Task GetQuote_AssetWithoutAnySeries_IsPriceNotFoundOnFieldAsset()
    {
        var error = await QuoteError("DOGE", "binance");

        Assert.Equal((Reasons.PriceNotFound, "asset"), (error.Reason, error.Field));
        Assert.Contains("pairs held on binance: BTC/USDT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetQuote_HeldPairOnAnotherDay_StaysOnFieldDate()
    {
        var queries = Queries();

        var result = await queries.GetQuoteAsync(new QuoteRequest("BTC", "USDT", "binance", "2025-03-20", false), CancellationToken.None);

        Assert.Equal((Reasons.PriceNotFound, "date"), (result.Error!.Reason, result.Error.Field));
    }

    [Fact]
    public async Task LowerCaseAsset_RefusedWithTheFix_InQuotesIncomeAndCollateral()
    {
        var (pricer, options) = Market();
        var quote = await QuoteError("btc", "binance");
        var session = new IncomeRecognition(pricer, RuleSetLoader.LoadEmbedded(), options)
            .Begin(new PolicyInput("binance", "USDT", "Europe/Moscow", false, null));
        var income = (await session.RecognizeAsync([new ReceiptInput("r1", Build.Utc(2025, 3, 14), "btc", "1")], CancellationToken.None)).Outcomes[0].Error!;
        var collateral = Assert.Throws<CalcException>(() => new CollateralValuations(pricer, options)
            .ValueAsync(new CollateralRequest("c1", "btc", "1", "2025-03-14", null, "", "", "", ""), CancellationToken.None).AsTask().GetAwaiter().GetResult()).Error;

        foreach (var error in new[] { quote, income, collateral })
        {
            Assert.Equal((Reasons.UnknownAsset, "asset"), (error.Reason, error.Field));
            Assert.Equal("asset 'btc' is not an asset code: codes are upper case, send 'BTC'", error.Message);
        }
    }

    [Fact]
    public async Task Income_UnknownVenue_FailsTheCallNamingTheKnownVenues()
    {
        var (pricer, options) = Market();

        var e = Assert.Throws<CalcException>(() => new IncomeRecognition(pricer, RuleSetLoader.LoadEmbedded(), options)
            .Begin(new PolicyInput("moex", "USDT", "Europe/Moscow", false, null)));

        Assert.Equal((Reasons.UnknownVenue, "policy.venue"), (e.Error.Reason, e.Error.Field));
        Assert.Contains("known venues are binance, bitstamp", e.Error.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Income_AssetWithoutAnySeries_ErrorFieldIsAssetNotReceivedAt()
    {
        var (pricer, options) = Market();
        var session = new IncomeRecognition(pricer, RuleSetLoader.LoadEmbedded(), options)
            .Begin(new PolicyInput("binance", "USDT", "Europe/Moscow", false, null));

        var chunk = await session.RecognizeAsync([new ReceiptInput("r1", Build.Utc(2025, 3, 14), "DOGE", "100")], CancellationToken.None);

        Assert.Equal((Reasons.PriceNotFound, "asset"), (chunk.Outcomes[0].Error!.Reason, chunk.Outcomes[0].Error!.Field));
    }

    [Fact]
    public void Policy_UpperCaseVenue_RefusedWithTheFix()
    {
        var e = Assert.Throws<CalcException>(() => ResolvedPolicy.Resolve(new PolicyInput("Binance", null, null, false, null), new ValuationOptions()));

        Assert.Equal(Reasons.UnknownVenue, e.Error.Reason);
        Assert.Equal("venue 'Binance' is not a venue id: venue ids are lower case, send 'binance'", e.Error.Message);
    }
}
