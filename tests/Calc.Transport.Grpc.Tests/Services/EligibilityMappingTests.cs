using Calc.Application.MarketData;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Domain.Quotes;
using Calc.Transport.Grpc.Services.Calc;

namespace Calc.Transport.Grpc.Tests.Services;

/// <summary>FNS eligibility and the monthly report lines as the API says them.</summary>
public sealed class EligibilityMappingTests
{
    private static PricedClose Priced(string venue, string quote, DateOnly day) => new(
        "BTC", day, new CloseQuote(new DailyClose(venue, new AssetPair("BTC", quote), day, 93576.0m, true), QuoteSource.Import),
        new CbrRateQuote(day, new CbrRate("USD", day, 1, 101.6797m), QuoteSource.Import, true), "USD", "CBR_RATE", 9_514_000m);

    [Theory]
    [InlineData("binance", "USDT")]
    [InlineData("okx", "USDT")]
    [InlineData("kucoin", "USDT")]
    [InlineData("mexc", "USDT")]
    [InlineData("htx", "USDT")]
    [InlineData("gate", "USDT")]
    [InlineData("bybit", "USDT")]
    public void Provenance_VenueOnTheFnsList_IsListedWithoutWarnings(string venue, string quote)
    {
        var provenance = ProtoMap.Provenance(Priced(venue, quote, new DateOnly(2024, 12, 31)));

        Assert.True(provenance.FnsListed);
        Assert.Empty(provenance.Warnings);
    }

    [Theory]
    [InlineData("coinbase")]
    [InlineData("kraken")]
    [InlineData("bitstamp")]
    public void Provenance_VenueOffTheFnsList_CarriesTheStableWarningNotAnError(string venue)
    {
        var provenance = ProtoMap.Provenance(Priced(venue, "USD", new DateOnly(2024, 12, 31)));

        Assert.False(provenance.FnsListed);
        var warning = Assert.Single(provenance.Warnings);
        Assert.Equal(Reasons.VenueNotFnsListed, warning.Reason);
        Assert.Contains("2025-04-07", warning.Message, StringComparison.Ordinal);
        Assert.Equal("93576.0", provenance.Close);
    }

    [Fact]
    public void Provenance_HtxClose_EndsAt1600UtcOfItsDay()
    {
        var provenance = ProtoMap.Provenance(Priced("htx", "USDT", new DateOnly(2024, 12, 31)));

        Assert.Equal("2024-12-31", provenance.CloseDate);
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 16, 0, 0, TimeSpan.Zero), provenance.CloseTime.ToDateTimeOffset());
    }

    [Fact]
    public void ReportLine_KeptOnPoolWithTruncatedTxIds_MapsEveryField()
    {
        var line = new MonthlyReportLine(2025, 3, "BTC", MiningOperation.KeptOnPool, "ViaBTC", 0.003m, 3, 24000.30m, ["t1", "t2"], 3, true,
            new DateOnly(2025, 4, 20), new DateOnly(2025, 4, 21), null);

        var proto = ProtoMap.ReportLine(line);

        Assert.Equal((2025, 3, "BTC", V1.MiningOperationType.KeptOnPool, "ViaBTC"), (proto.Year, proto.Month, proto.Asset, proto.OperationType, proto.Identifier));
        Assert.Equal(("0.003", 3, "24000.30", 3, true), (proto.Amount, proto.ReceiptCount, proto.IncomeRub, proto.TxIdCount, proto.TxIdsTruncated));
        Assert.Equal(["t1", "t2"], proto.TxIds);
        Assert.Equal("2025-04-21", proto.ReportDueDate);
        Assert.Null(proto.ReportDueDateError);
    }
}
