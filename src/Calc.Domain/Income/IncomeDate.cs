namespace Calc.Domain.Income;

/// <summary>
/// The one function that turns an instant into a tax date: the calendar date of <paramref name="instant"/>
/// in <paramref name="zone"/> (default Europe/Moscow, tax-rules R2.8 / Q1). The day runs from 00:00:00
/// inclusive to 24:00 exclusive local time: 2025-03-15T21:00:00Z is 2025-03-16 in Moscow (UTC+3).
/// <see cref="IncomeDateCache"/> gives the same answers for many instants in one zone, faster.
/// </summary>
public static class IncomeDate
{
    public const string DefaultZoneId = "Europe/Moscow";

    public static DateOnly Of(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return FromLocalTicks(instant.UtcTicks + zone.GetUtcOffset(instant).Ticks);
    }

    /// <summary>The date of a local wall-clock instant given as ticks (the single place the division is made).</summary>
    internal static DateOnly FromLocalTicks(long localTicks) => DateOnly.FromDayNumber((int)(localTicks / TimeSpan.TicksPerDay));
}
