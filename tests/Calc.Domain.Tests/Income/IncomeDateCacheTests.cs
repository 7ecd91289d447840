using Calc.Domain.Income;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Domain.Tests.Income;

/// <summary>
/// <see cref="IncomeDateCache"/> must answer exactly as a per-instant zone conversion: checked against
/// the BCL conversion (<see cref="TimeZoneInfo.ConvertTimeFromUtc"/>) on sweeps across DST and base-offset
/// transitions (found by bisection, tested at the tick before, at and after), midnights, and random instants.
/// </summary>
public class IncomeDateCacheTests
{
    /// <summary>Zones with DST both ways, half-hour and 45-minute offsets, a skipped day, Ramadan DST, a +2 h DST.</summary>
    private static readonly string[] ZoneIds =
    [
        "Europe/Moscow", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Apia",
        "Africa/Casablanca", "America/Sao_Paulo", "Asia/Gaza", "Antarctica/Troll", "Asia/Kathmandu", "America/St_Johns",
    ];

    private static DateOnly Reference(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(instant.UtcDateTime, zone));

    [Theory]
    [InlineData("2025-03-15T20:59:59.9999999+00:00", "2025-03-15")]
    [InlineData("2025-03-15T21:00:00+00:00", "2025-03-16")]
    [InlineData("2025-12-31T21:00:00+00:00", "2026-01-01")]
    [InlineData("2011-03-26T22:59:59.9999999+00:00", "2011-03-27")] // Moscow 2011: +3 -> +4 at 02:00 local (23:00Z on 26.03)
    [InlineData("2014-10-25T21:59:59.9999999+00:00", "2014-10-26")] // Moscow 2014: +4 -> +3 at 02:00 local
    [InlineData("2014-10-25T20:00:00+00:00", "2014-10-26")]
    public void Of_MoscowBoundariesAndOffsetChanges_MatchesLocalMidnight(string instant, string expected)
    {
        var cache = new IncomeDateCache(TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow"));

        var date = cache.Of(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
    }

    [Theory]
    // London spring forward 30.03.2025 01:00Z, fall back 26.10.2025 01:00Z; midnight BST = 23:00Z the day before
    [InlineData("Europe/London", "2025-03-29T23:59:59.9999999+00:00", "2025-03-29")]
    [InlineData("Europe/London", "2025-03-30T00:00:00+00:00", "2025-03-30")]
    [InlineData("Europe/London", "2025-03-30T22:59:59.9999999+00:00", "2025-03-30")]
    [InlineData("Europe/London", "2025-03-30T23:00:00+00:00", "2025-03-31")]
    [InlineData("Europe/London", "2025-10-25T22:59:59.9999999+00:00", "2025-10-25")]
    [InlineData("Europe/London", "2025-10-25T23:00:00+00:00", "2025-10-26")]
    [InlineData("Europe/London", "2025-10-26T23:59:59.9999999+00:00", "2025-10-26")]
    [InlineData("Europe/London", "2025-10-27T00:00:00+00:00", "2025-10-27")]
    // New York: EST -5 / EDT -4; spring forward 09.03.2025 07:00Z, fall back 02.11.2025 06:00Z
    [InlineData("America/New_York", "2025-03-09T04:59:59.9999999+00:00", "2025-03-08")]
    [InlineData("America/New_York", "2025-03-09T05:00:00+00:00", "2025-03-09")]
    [InlineData("America/New_York", "2025-03-10T03:59:59.9999999+00:00", "2025-03-09")]
    [InlineData("America/New_York", "2025-03-10T04:00:00+00:00", "2025-03-10")]
    [InlineData("America/New_York", "2025-11-02T03:59:59.9999999+00:00", "2025-11-01")]
    [InlineData("America/New_York", "2025-11-02T04:00:00+00:00", "2025-11-02")]
    [InlineData("America/New_York", "2025-11-03T04:59:59.9999999+00:00", "2025-11-02")]
    [InlineData("America/New_York", "2025-11-03T05:00:00+00:00", "2025-11-03")]
    // Apia skipped 30.12.2011 (-10 -> +14 at 10:00Z on 30.12)
    [InlineData("Pacific/Apia", "2011-12-30T09:59:59.9999999+00:00", "2011-12-29")]
    [InlineData("Pacific/Apia", "2011-12-30T10:00:00+00:00", "2011-12-31")]
    public void Of_DaylightSavingTransitions_MatchesLocalMidnight(string zoneId, string instant, string expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var cache = new IncomeDateCache(zone);
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        var date = cache.Of(at);

        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
        Assert.Equal(IncomeDate.Of(at, zone), date);
    }

    [Fact]
    public void Of_SweepAcrossEveryTransition2005To2030_EqualsPerInstantConversion()
    {
        foreach (string id in ZoneIds)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            var cache = new IncomeDateCache(zone);
            var step = TimeSpan.FromMinutes(97); // not a divisor of a day: samples drift through every time of day
            var previous = new DateTimeOffset(2005, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var end = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
            int transitions = 0;
            for (var t = previous + step; t < end; previous = t, t += step)
            {
                AssertSame(cache, zone, t);
                if (zone.GetUtcOffset(t) != zone.GetUtcOffset(previous))
                {
                    transitions++;
                    var change = FirstTickOfOffset(zone, previous, t);
                    foreach (long delta in new long[] { -TimeSpan.TicksPerDay, -1, 0, 1, TimeSpan.TicksPerHour, TimeSpan.TicksPerDay })
                    {
                        AssertSame(cache, zone, change.AddTicks(delta));
                    }

                    // the local midnights on both sides of the change
                    var local = TimeZoneInfo.ConvertTime(change, zone);
                    var midnight = new DateTimeOffset(local.Date, local.Offset);
                    foreach (var m in new[] { midnight, midnight.AddDays(1), midnight.AddDays(-1) })
                    {
                        AssertSame(cache, zone, m.AddTicks(-1));
                        AssertSame(cache, zone, m);
                    }
                }
            }

            Assert.True(id is "Asia/Kathmandu" or "Europe/Moscow" || transitions > 0, $"{id}: the sweep found no transition");
        }
    }

    [Fact]
    public void Of_RandomInstantsInSharedCache_EqualsPerInstantConversion()
    {
        var zones = ZoneIds.Select(TimeZoneInfo.FindSystemTimeZoneById).ToArray();
        var caches = zones.Select(z => new IncomeDateCache(z)).ToArray();
        long min = new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        long max = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        // anywhere in two centuries, or within ±2 days of a recent local midnight (on the minute or to the tick)
        var anywhere = from hi in Gen.Choose(0, (1 << 30) - 1) from lo in Gen.Choose(0, (1 << 30) - 1)
                       select min + ((((long)hi << 30) | (uint)lo) % (max - min));
        var nearMidnight = from day in Gen.Choose(0, 365 * 30)
                           from minutes in Gen.Choose(-2 * 24 * 60, 2 * 24 * 60)
                           from ticks in Gen.Elements(0L, -1L, 1L, 599_999_999L)
                           select new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day).AddMinutes(minutes).AddTicks(ticks).UtcTicks;
        var cases = from z in Gen.Choose(0, zones.Length - 1) from ticks in Gen.OneOf(anywhere, nearMidnight) select (Zone: z, Ticks: ticks);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var instant = new DateTimeOffset(c.Ticks, TimeSpan.Zero);
            return caches[c.Zone].Of(instant) == Reference(instant, zones[c.Zone])
                && caches[c.Zone].Of(instant.ToOffset(TimeSpan.FromHours(5))) == Reference(instant, zones[c.Zone]);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }

    [Fact]
    public void Of_ExtremeInstants_SameAsIncomeDateOf()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var cache = new IncomeDateCache(zone);

        Assert.Equal(IncomeDate.Of(DateTimeOffset.MinValue, zone), cache.Of(DateTimeOffset.MinValue));
        Assert.Equal(IncomeDate.Of(DateTimeOffset.MaxValue, zone), cache.Of(DateTimeOffset.MaxValue));
    }

    [Theory]
    [InlineData("9999-12-31T23:00:00+00:00", "Europe/Moscow", false)] // already year 10000 in Moscow
    [InlineData("0001-01-01T02:00:00+00:00", "America/New_York", false)] // still year 0 in New York
    [InlineData("9999-12-31T20:59:59+00:00", "Europe/Moscow", true)]
    [InlineData("0001-01-01T02:00:00+00:00", "Europe/Moscow", true)]
    [InlineData("2025-03-15T21:00:00+00:00", "Europe/Moscow", true)] // an ordinary instant: the cached path
    public void TryOf_InstantsAtAndAwayFromTheCalendarEnds_SameAsIncomeDateTryOf(string instant, string zoneId, bool inCalendar)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        bool cached = new IncomeDateCache(zone).TryOf(at, out var cachedDate);
        bool direct = IncomeDate.TryOf(at, zone, out var directDate);

        Assert.Equal((inCalendar, inCalendar), (cached, direct));
        Assert.Equal(directDate, cachedDate);
        if (inCalendar)
        {
            Assert.Equal(Reference(at, zone), cachedDate);
        }
    }

    private static void AssertSame(IncomeDateCache cache, TimeZoneInfo zone, DateTimeOffset instant)
    {
        var expected = Reference(instant, zone);
        var actual = cache.Of(instant);
        if (actual != expected)
        {
            Assert.Fail($"{zone.Id} {instant:O}: cache {actual:yyyy-MM-dd}, conversion {expected:yyyy-MM-dd}");
        }
    }

    /// <summary>The first tick in (<paramref name="before"/>, <paramref name="after"/>] with the offset of <paramref name="after"/>.</summary>
    private static DateTimeOffset FirstTickOfOffset(TimeZoneInfo zone, DateTimeOffset before, DateTimeOffset after)
    {
        var target = zone.GetUtcOffset(after);
        long lo = before.UtcTicks, hi = after.UtcTicks;
        while (hi - lo > 1)
        {
            long mid = lo + ((hi - lo) / 2);
            if (zone.GetUtcOffset(new DateTimeOffset(mid, TimeSpan.Zero)) == target) { hi = mid; } else { lo = mid; }
        }

        return new DateTimeOffset(hi, TimeSpan.Zero);
    }
}
