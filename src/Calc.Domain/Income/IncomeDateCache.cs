namespace Calc.Domain.Income;

/// <summary>
/// <see cref="IncomeDate.Of"/> for many instants in one zone: remembers the zone's UTC offset per UTC day,
/// for days on which the offset does not change, so most instants cost a table probe and a division instead of
/// a <see cref="TimeZoneInfo"/> rule lookup. A day on which the zone's offset changes (a DST or base-offset
/// transition) is marked and every instant on it is asked of the zone, so answers are those of
/// <see cref="IncomeDate.Of"/> for every instant.
/// </summary>
/// <remarks>
/// A day counts as fixed when the offset at its first tick, every three hours and at its last tick is the
/// same. The tz database has no pair of offset changes less than three days apart (the closest are
/// Africa/Freetown 1939 and Brazil 2000, 4 and 7 days), so two changes that cancel out between samples cannot
/// occur. An instance belongs to one computation (a session): it is not thread-safe and holds no shared state.
/// </remarks>
public sealed class IncomeDateCache
{
    /// <summary>Direct-mapped table size (a power of two): two months of days in any order without eviction.</summary>
    private const int Slots = 64;

    /// <summary>Marks a day with an offset change: ask the zone per instant.</summary>
    private const long Changing = long.MinValue;

    /// <summary>Offsets are sampled this far apart within a day (8 lookups per distinct day, once per session).</summary>
    private const long SampleStep = 3 * TimeSpan.TicksPerHour;

    private readonly Entry[] _entries = new Entry[Slots];

    public IncomeDateCache(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The income date of <paramref name="instant"/> in <see cref="Zone"/>; equals <see cref="IncomeDate.Of"/>.</summary>
    public DateOnly Of(DateTimeOffset instant)
    {
        long utcTicks = instant.UtcTicks;
        int day = (int)(utcTicks / TimeSpan.TicksPerDay);
        int slot = day & (Slots - 1);
        ref var entry = ref _entries[slot];
        if (entry.DayPlusOne != day + 1)
        {
            entry = new Entry(day + 1, DayOffset(day));
        }

        long offset = entry.OffsetTicks;

        return offset == Changing ? IncomeDate.Of(instant, Zone) : IncomeDate.FromLocalTicks(utcTicks + offset);
    }

    /// <summary>
    /// As <see cref="Of"/>, but false for an instant whose date in <see cref="Zone"/> lies outside 0001-01-01 …
    /// 9999-12-31 (see <see cref="IncomeDate.TryOf"/>); only instants within a day of those ends are checked.
    /// </summary>
    public bool TryOf(DateTimeOffset instant, out DateOnly date)
    {
        if (IncomeDate.NearCalendarEnds(instant))
        {
            return IncomeDate.TryOf(instant, Zone, out date);
        }

        date = Of(instant);
        return true;
    }

    /// <summary>The offset in force all through UTC day <paramref name="day"/>, or <see cref="Changing"/>.</summary>
    private long DayOffset(int day)
    {
        long start = day * TimeSpan.TicksPerDay;
        long offset = OffsetAt(start);
        for (long t = start + SampleStep; t < start + TimeSpan.TicksPerDay; t += SampleStep)
        {
            if (OffsetAt(t) != offset)
            {
                return Changing;
            }
        }

        return OffsetAt(start + TimeSpan.TicksPerDay - 1) == offset ? offset : Changing;
    }

    private long OffsetAt(long utcTicks) => Zone.GetUtcOffset(new DateTimeOffset(utcTicks, TimeSpan.Zero)).Ticks;

    /// <summary>A UTC day (plus one, so that zero is empty) and its offset in ticks, or <see cref="Changing"/>.</summary>
    private readonly record struct Entry(int DayPlusOne, long OffsetTicks);
}
