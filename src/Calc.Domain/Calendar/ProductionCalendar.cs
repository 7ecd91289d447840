using Calc.Domain.Dates;
using Calc.Domain.Errors;

namespace Calc.Domain.Calendar;

/// <summary>How a listed day departs from the plain Mon–Fri working / Sat–Sun off rule.</summary>
public enum CalendarDayKind
{
    /// <summary>A non-working Monday–Friday (public holiday or transferred day off).</summary>
    Holiday,

    /// <summary>A working Saturday/Sunday (its day off was moved by the yearly decree).</summary>
    Working,

    /// <summary>A shortened pre-holiday working day; for deadlines an ordinary working day.</summary>
    Short,
}

/// <summary>
/// The Russian federal production calendar for a contiguous range of years, given as the exceptions to the
/// five-day week (<c>ReferenceData/ru-production-calendar.csv</c>). Dates outside the known years are an
/// explicit CALENDAR_OUT_OF_RANGE error, never a guess.
/// </summary>
public sealed class ProductionCalendar
{
    public const string Header = "date,kind,note";

    private readonly Dictionary<DateOnly, CalendarDayKind> _exceptions;

    private ProductionCalendar(Dictionary<DateOnly, CalendarDayKind> exceptions, int firstYear, int lastYear)
    {
        _exceptions = exceptions;
        FirstYear = firstYear;
        LastYear = lastYear;
    }

    public int FirstYear { get; }

    public int LastYear { get; }

    /// <summary>Parses the strict CSV; throws <see cref="Rules.RuleSetLoadException"/> naming the file and line.</summary>
    public static ProductionCalendar Parse(string csv, string file = "ru-production-calendar.csv")
    {
        var rows = StrictCsv.Read(file, csv, Header);
        var map = new Dictionary<DateOnly, CalendarDayKind>();
        DateOnly previous = DateOnly.MinValue;
        foreach (var (line, f) in rows)
        {
            if (!IsoDate.TryParse(f[0], out var date))
            {
                throw StrictCsv.Fail(file, line, $"'{f[0]}' is not an ISO date");
            }

            if (date <= previous)
            {
                throw StrictCsv.Fail(file, line, $"{f[0]} does not follow the previous row (dates ascend strictly)");
            }

            previous = date;
            bool weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            CalendarDayKind kind = f[1] switch
            {
                "holiday" when !weekend => CalendarDayKind.Holiday,
                "short" when !weekend => CalendarDayKind.Short,
                "working" when weekend => CalendarDayKind.Working,
                "holiday" or "short" or "working" => throw StrictCsv.Fail(file, line, $"kind '{f[1]}' does not fit {date.DayOfWeek} {f[0]}"),
                _ => throw StrictCsv.Fail(file, line, $"unknown kind '{f[1]}' (holiday, working, short)"),
            };
            if (string.IsNullOrWhiteSpace(f[2]))
            {
                throw StrictCsv.Fail(file, line, "note (the legal source of the row) is empty");
            }

            map.Add(date, kind);
        }

        int first = map.Keys.Min().Year, last = map.Keys.Max().Year;
        for (int y = first; y <= last; y++)
        {
            if (!map.Keys.Any(d => d.Year == y))
            {
                throw StrictCsv.Fail(file, 0, $"year {y} has no rows: the calendar's years must be contiguous");
            }
        }

        return new ProductionCalendar(map, first, last);
    }

    public bool Covers(DateOnly date) => date.Year >= FirstYear && date.Year <= LastYear;

    /// <summary>Whether <paramref name="date"/> is a working day (shortened days count as working).</summary>
    public CalcResult<bool> IsWorkingDay(DateOnly date)
    {
        if (!Covers(date))
        {
            return OutOfRange(date);
        }

        if (_exceptions.TryGetValue(date, out var kind))
        {
            return kind != CalendarDayKind.Holiday;
        }

        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>
    /// The deadline shift of Tax Code art. 6.1 p.7: a deadline that falls on a weekend or non-working day
    /// moves to the next working day; a working day is returned unchanged.
    /// </summary>
    public CalcResult<DateOnly> NextWorkingDayOnOrAfter(DateOnly date)
    {
        for (var d = date; ; d = d.AddDays(1))
        {
            var working = IsWorkingDay(d);
            if (!working.IsSuccess)
            {
                return working.Error!;
            }

            if (working.Value)
            {
                return d;
            }
        }
    }

    private CalcError OutOfRange(DateOnly date) => new(ErrorCode.OutOfRange, Reasons.CalendarOutOfRange,
        $"the production calendar covers {FirstYear}-{LastYear}; {IsoDate.ToText(date)} is outside it", "date");
}
