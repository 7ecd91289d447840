namespace Calc.Application.MarketData;

/// <summary>The two calendars market data lives in: UTC trading days and Moscow (CBR) days.</summary>
public static class MarketClock
{
    /// <summary>Moscow has kept UTC+3 all year since 26 October 2014.</summary>
    public static readonly TimeSpan MoscowOffset = TimeSpan.FromHours(3);

    public static DateOnly TodayUtc(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public static DateOnly TodayMoscow(TimeProvider time) =>
        DateOnly.FromDateTime(time.GetUtcNow().ToOffset(MoscowOffset).DateTime);

    public static DateTimeOffset StartOfUtcDay(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static long UnixMilliseconds(DateOnly day) => StartOfUtcDay(day).ToUnixTimeMilliseconds();

    public static long UnixSeconds(DateOnly day) => StartOfUtcDay(day).ToUnixTimeSeconds();

    public static DateOnly DayOfUnixMilliseconds(long ms) =>
        DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime);
}
