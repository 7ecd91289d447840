namespace Calc.Domain.Quotes;

/// <summary>
/// The trading-day boundary of each venue's daily candle. Every venue Calc reads has a UTC daily candle
/// (OKX through <c>bar=1Dutc</c>) except HTX, whose only daily candle (<c>period=1day</c>) is the
/// Beijing/Singapore day, 00:00–24:00 UTC+8 (huobiapi/API_Docs_en issue 8; the docs' own example candle
/// id 1499184000 is 16:00 UTC). A close's date is the label of the day in that zone.
/// </summary>
public static class VenueDays
{
    private static readonly TimeSpan Utc8 = TimeSpan.FromHours(8);

    /// <summary>Offset of the venue's day from UTC: the day D runs from D 00:00 at this offset.</summary>
    public static TimeSpan Offset(string venue) => venue == "htx" ? Utc8 : TimeSpan.Zero;

    /// <summary>The convention as ListVenues reports it: "UTC" or "UTC+8".</summary>
    public static string Convention(string venue) => Offset(venue) == TimeSpan.Zero ? "UTC" : "UTC+8";

    /// <summary>The instant the venue's day <paramref name="date"/> begins.</summary>
    public static DateTimeOffset Start(string venue, DateOnly date) =>
        new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - Offset(venue);

    /// <summary>The venue's day that contains <paramref name="instant"/>.</summary>
    public static DateOnly DayOf(string venue, DateTimeOffset instant) => DateOnly.FromDateTime((instant.UtcDateTime + Offset(venue)).Date);
}
