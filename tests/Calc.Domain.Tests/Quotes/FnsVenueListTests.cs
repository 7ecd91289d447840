using Calc.Domain.Quotes;
using Calc.Domain.Rules;

namespace Calc.Domain.Tests.Quotes;

public sealed class FnsVenueListTests
{
    [Fact]
    public void Embedded_IsTheSevenOrganisersOfTheFnsListOf7April2025()
    {
        var list = FnsVenueList.Embedded;

        Assert.Equal(["binance", "bybit", "okx", "kucoin", "mexc", "htx", "gate"], list.Venues);
        Assert.Equal(new DateOnly(2025, 4, 7), list.ListDate);
        Assert.Contains("nalog.gov.ru", list.Source, StringComparison.Ordinal);
        Assert.False(list.IsListed("coinbase"));
        Assert.False(list.IsListed("Binance"));
    }

    [Theory]
    [InlineData("venue,organiser,list_date,source\nBinance,Binance,2025-04-07,FNS\n", "lower-case")]
    [InlineData("venue,organiser,list_date,source\nbinance,,2025-04-07,FNS\n", "organiser is empty")]
    [InlineData("venue,organiser,list_date,source\nbinance,Binance,07.04.2025,FNS\n", "ISO date")]
    [InlineData("venue,organiser,list_date,source\nbinance,Binance,2025-04-07,\n", "source is empty")]
    [InlineData("venue,organiser,list_date,source\nbinance,Binance,2025-04-07,FNS\nbybit,Bybit,2025-05-01,FNS\n", "same list_date")]
    [InlineData("venue,organiser,list_date,source\nbinance,Binance,2025-04-07,FNS\nbinance,Binance,2025-04-07,FNS\n", "listed twice")]
    [InlineData("venue,organiser,date,source\nbinance,Binance,2025-04-07,FNS\n", "header")]
    [InlineData("venue,organiser,list_date,source\n", "no data rows")]
    public void Parse_BadFile_FailsNamingFileAndProblem(string csv, string problem)
    {
        var e = Assert.Throws<RuleSetLoadException>(() => FnsVenueList.Parse(csv, "fns.csv"));

        Assert.Equal("fns.csv", e.File);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UpdatedEdition_ReplacesDateSourceAndVenues()
    {
        var list = FnsVenueList.Parse("venue,organiser,list_date,source\nbinance,Binance,2026-01-15,FNS list edition\nbitget,Bitget,2026-01-15,FNS list edition\n");

        Assert.Equal(new DateOnly(2026, 1, 15), list.ListDate);
        Assert.True(list.IsListed("bitget"));
        Assert.False(list.IsListed("okx"));
    }

    [Theory]
    [InlineData("binance", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "UTC")]
    [InlineData("okx", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "UTC")]
    [InlineData("htx", "2024-12-31T16:00:00Z", "2025-01-01T16:00:00Z", "UTC+8")]
    public void VenueDays_DayOf1January2025_StartsAndEndsAtTheVenuesMidnight(string venue, string start, string end, string convention)
    {
        var day = new DateOnly(2025, 1, 1);

        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), VenueDays.Start(venue, day));
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), new DailyClose(venue, new AssetPair("BTC", "USDT"), day, 1m, true).CloseTime);
        Assert.Equal(convention, VenueDays.Convention(venue));
        Assert.Equal(day, VenueDays.DayOf(venue, VenueDays.Start(venue, day)));
        Assert.Equal(day.AddDays(-1), VenueDays.DayOf(venue, VenueDays.Start(venue, day).AddTicks(-1)));
    }
}
