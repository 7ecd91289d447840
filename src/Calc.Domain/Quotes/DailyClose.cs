namespace Calc.Domain.Quotes;

/// <summary>
/// A venue's close for one trading day. <see cref="Date"/> is the day label in the venue's candle zone
/// (UTC for every supported venue but HTX, whose day is UTC+8: <see cref="VenueDays"/>); <see cref="CloseTime"/>
/// is the instant the day ends (exclusive end, e.g. 00:00 UTC of the next day). A close is final only once that
/// instant has passed.
/// </summary>
public sealed record DailyClose(string Venue, AssetPair Pair, DateOnly Date, decimal Close, bool IsFinal)
{
    /// <summary>End of the venue's trading day the close belongs to (00:00 UTC of the next day for a UTC venue).</summary>
    public DateTimeOffset CloseTime => VenueDays.Start(Venue, Date.AddDays(1));
}
