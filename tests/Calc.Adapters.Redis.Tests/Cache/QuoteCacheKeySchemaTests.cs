using System.Text;
using Calc.Adapters.Redis.Cache;
using Calc.Application.Ports;
using Calc.Domain.Quotes;

namespace Calc.Adapters.Redis.Tests.Cache;

public sealed class QuoteCacheKeySchemaTests
{
    private static readonly AssetPair BtcUsdt = new("BTC", "USDT");

    [Fact]
    public void CloseKeyOf_ValidKey_IsVersionedWithSeriesHashTag()
    {
        // Act
        var key = QuoteCacheKeySchema.CloseKeyOf(new CloseKey("binance", BtcUsdt, new DateOnly(2024, 3, 31)));

        // Assert
        Assert.Equal("calc:v1:close:{binance:BTC-USDT}:2024-03-31", key);
        Assert.Equal("binance:BTC-USDT", QuoteCacheKeySchema.HashTagOf(key!));
    }

    [Fact]
    public void CbrKeyOf_ValidKey_IsVersionedWithCurrencyHashTag()
    {
        // Act
        var key = QuoteCacheKeySchema.CbrKeyOf(new CbrRateKey("USD", new DateOnly(2024, 3, 31)));

        // Assert
        Assert.Equal("calc:v1:cbr:{USD}:2024-03-31", key);
        Assert.Equal("USD", QuoteCacheKeySchema.HashTagOf(key!));
    }

    [Theory]
    [InlineData("bin{ance", "BTC", "USDT")]
    [InlineData("binance", "BT C", "USDT")]
    [InlineData("binance", "BTC", "")]
    [InlineData("bin:ance", "BTC", "USDT")]
    [InlineData("binance", "БТЦ", "USDT")]
    public void CloseKeyOf_PartThatWouldBreakTheKey_IsNotCached(string venue, string @base, string quote)
    {
        // Act
        var key = QuoteCacheKeySchema.CloseKeyOf(new CloseKey(venue, new AssetPair(@base, quote), new DateOnly(2024, 1, 1)));

        // Assert
        Assert.Null(key);
    }

    [Theory]
    [InlineData("67123.45")]
    [InlineData("0.00000123")]
    [InlineData("9000000.00")]
    public void EncodeDecodeClose_RoundTrip_KeepsValueAndScale(string text)
    {
        // Arrange
        var close = new DailyClose("bybit", BtcUsdt, new DateOnly(2024, 2, 29), decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), true);

        // Act
        var encoded = QuoteCacheKeySchema.EncodeClose(close);
        var decoded = QuoteCacheKeySchema.DecodeClose(new CloseKey("bybit", BtcUsdt, close.Date), Encoding.ASCII.GetBytes(encoded));

        // Assert
        Assert.Equal(text, encoded);
        Assert.Equal(close, decoded);
        Assert.Equal(text, decoded!.Close.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void EncodeDecodeCbr_RateCarriedForward_KeepsEffectiveDateAndNominal()
    {
        // Arrange: the JPY rate set on Friday 2024-03-29 is in force on Sunday 2024-03-31, per 100 yen
        var rate = new CbrRate("JPY", new DateOnly(2024, 3, 30), 100, 61.0470m);
        var key = new CbrRateKey("JPY", new DateOnly(2024, 3, 31));

        // Act
        var encoded = QuoteCacheKeySchema.EncodeCbr(rate);
        var decoded = QuoteCacheKeySchema.DecodeCbr(key, Encoding.ASCII.GetBytes(encoded));

        // Assert
        Assert.Equal("2024-03-30|100|61.0470", encoded);
        Assert.Equal(rate, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1e5")]
    [InlineData("1,5")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData(" 1")]
    public void DecodeClose_CorruptValue_IsAMiss(string value)
    {
        // Act
        var decoded = QuoteCacheKeySchema.DecodeClose(new CloseKey("binance", BtcUsdt, new DateOnly(2024, 1, 1)), Encoding.UTF8.GetBytes(value));

        // Assert
        Assert.Null(decoded);
    }

    [Theory]
    [InlineData("2024-03-30|1|")]
    [InlineData("2024-03-30|0|92.3660")]
    [InlineData("2024-03-30|x|92.3660")]
    [InlineData("2024-02-30|1|92.3660")]
    [InlineData("2024-03-30|1|92,3660")]
    [InlineData("2024-04-01|1|92.3660")]      // took effect after the date it is cached for
    [InlineData("2024-03-30;1;92.3660")]
    [InlineData("92.3660")]
    public void DecodeCbr_CorruptOrImpossibleValue_IsAMiss(string value)
    {
        // Act
        var decoded = QuoteCacheKeySchema.DecodeCbr(new CbrRateKey("USD", new DateOnly(2024, 3, 31)), Encoding.UTF8.GetBytes(value));

        // Assert
        Assert.Null(decoded);
    }

    [Theory]
    [InlineData("2024-06-10", "2024-06-10T12:00:00Z", 1)]  // today
    [InlineData("2024-06-09", "2024-06-10T12:00:00Z", 1)]  // yesterday: a venue may still amend it
    [InlineData("2024-06-08", "2024-06-10T12:00:00Z", 400)]
    [InlineData("2023-01-31", "2024-06-10T12:00:00Z", 400)]
    public void CloseTtl_Policy_RecentShortSettledLong(string date, string now, int expectedDaysOrHours)
    {
        // Act
        var ttl = QuoteCacheKeySchema.CloseTtl(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        // Assert
        Assert.Equal(expectedDaysOrHours == 1 ? TimeSpan.FromHours(1) : TimeSpan.FromDays(400), ttl);
    }

    [Theory]
    [InlineData("2024-06-11", "2024-06-10T22:30:00Z", 1)]  // 01:30 on 06-11 in Moscow: today there
    [InlineData("2024-06-12", "2024-06-10T12:00:00Z", 1)]  // future: carried forward until the next publication
    [InlineData("2024-06-09", "2024-06-10T22:30:00Z", 400)] // two days back in Moscow
    [InlineData("2024-06-09", "2024-06-10T12:00:00Z", 1)]
    public void CbrTtl_Policy_UsesMoscowToday(string date, string now, int expectedDaysOrHours)
    {
        // Act
        var ttl = QuoteCacheKeySchema.CbrTtl(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        // Assert
        Assert.Equal(expectedDaysOrHours == 1 ? TimeSpan.FromHours(1) : TimeSpan.FromDays(400), ttl);
    }
}
