namespace Calc.Domain.Quotes;

/// <summary>
/// A venue's close for one trading day. <see cref="Date"/> is the day label in the venue's candle zone
/// (UTC for every supported venue); <see cref="CloseTime"/> is the instant the day ends (exclusive end,
/// i.e. 00:00 UTC of the next day). A close is final only once that instant has passed.
/// </summary>
public sealed record DailyClose(string Venue, AssetPair Pair, DateOnly Date, decimal Close, bool IsFinal)
{
    /// <summary>End of the UTC trading day the close belongs to.</summary>
    public DateTimeOffset CloseTime => new(Date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
