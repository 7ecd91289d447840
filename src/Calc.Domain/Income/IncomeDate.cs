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

    public static DateOnly Of(DateTimeOffset instant, TimeZoneInfo zone) => FromLocalTicks(LocalTicks(instant, zone));

    /// <summary>
    /// As <see cref="Of"/>, but false for an instant whose local date in <paramref name="zone"/> lies outside
    /// 0001-01-01 … 9999-12-31 (e.g. 9999-12-31T23:00:00Z is already year 10000 in Moscow).
    /// </summary>
    public static bool TryOf(DateTimeOffset instant, TimeZoneInfo zone, out DateOnly date)
    {
        long local = LocalTicks(instant, zone);
        if (local < 0 || local > DateTime.MaxValue.Ticks)
        {
            date = default;
            return false;
        }

        date = FromLocalTicks(local);
        return true;
    }

    /// <summary>True when <paramref name="instant"/> is within a day of the ends of the calendar, where a zone's offset can leave it.</summary>
    internal static bool NearCalendarEnds(DateTimeOffset instant) =>
        instant.UtcTicks < TimeSpan.TicksPerDay || instant.UtcTicks > DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay;

    /// <summary>The wall-clock ticks of <paramref name="instant"/> in <paramref name="zone"/> (may leave the calendar at its ends).</summary>
    private static long LocalTicks(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return instant.UtcTicks + zone.GetUtcOffset(instant).Ticks;
    }

    /// <summary>The date of a local wall-clock instant given as ticks (the single place the division is made).</summary>
    internal static DateOnly FromLocalTicks(long localTicks) => DateOnly.FromDayNumber((int)(localTicks / TimeSpan.TicksPerDay));
}
