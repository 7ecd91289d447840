using System.Globalization;
using Calc.Domain.Dates;

namespace Calc.Domain.Calendar;

/// <summary>Whether a restriction covers a whole region or only territories inside it (district list not encoded).</summary>
public enum RestrictionScope
{
    Whole,
    Part,
}

/// <summary>A yearly window as month-day, possibly wrapping the year end (11-15 … 03-15), both ends inclusive.</summary>
public readonly record struct MonthDay(int Month, int Day)
{
    public int Key => (Month * 100) + Day;

    public override string ToString() => $"{Month:00}-{Day:00}";
}

/// <summary>
/// One row of <c>ru-mining-restrictions.csv</c>: mining banned in <see cref="RegionCode"/> from
/// <see cref="From"/> to <see cref="To"/> (both inclusive), on every day or only inside the season.
/// </summary>
public sealed record MiningRestriction(
    string RegionCode, string RegionName, RestrictionScope Scope, DateOnly From, DateOnly To,
    MonthDay? SeasonFrom, MonthDay? SeasonTo, string Note)
{
    public bool IsSeasonal => SeasonFrom is not null;

    /// <summary>True when the ban window (and season, if any) contains <paramref name="date"/>.</summary>
    public bool AppliesOn(DateOnly date)
    {
        if (date < From || date > To)
        {
            return false;
        }

        if (SeasonFrom is not { } sf || SeasonTo is not { } st)
        {
            return true;
        }

        int key = (date.Month * 100) + date.Day;
        return sf.Key <= st.Key ? key >= sf.Key && key <= st.Key : key >= sf.Key || key <= st.Key;
    }
}

/// <summary>The restricted territories (<c>ReferenceData/ru-mining-restrictions.csv</c>), strictly parsed.</summary>
public sealed class MiningRestrictions
{
    public const string Header = "region_code,region_name,scope,from,to,season_from,season_to,note";

    private readonly MiningRestriction[] _rows;

    private MiningRestrictions(MiningRestriction[] rows) => _rows = rows;

    public IReadOnlyList<MiningRestriction> Rows => _rows;

    public IEnumerable<MiningRestriction> ForRegion(string regionCode) =>
        _rows.Where(r => string.Equals(r.RegionCode, regionCode, StringComparison.Ordinal));

    public static MiningRestrictions Parse(string csv, string file = "ru-mining-restrictions.csv")
    {
        var rows = StrictCsv.Read(file, csv, Header);
        var list = new List<MiningRestriction>(rows.Count);
        foreach (var (line, f) in rows)
        {
            if (f[0].Length != 2 || !f[0].All(char.IsAsciiDigit))
            {
                throw StrictCsv.Fail(file, line, $"region_code '{f[0]}' must be two digits (FNS subject code)");
            }

            var scope = f[2] switch
            {
                "whole" => RestrictionScope.Whole,
                "part" => RestrictionScope.Part,
                _ => throw StrictCsv.Fail(file, line, $"scope '{f[2]}' must be whole or part"),
            };
            if (!IsoDate.TryParse(f[3], out var from) || !IsoDate.TryParse(f[4], out var to) || to < from)
            {
                throw StrictCsv.Fail(file, line, $"from/to '{f[3]}'/'{f[4]}' must be ISO dates with from <= to");
            }

            MonthDay? seasonFrom = ParseMonthDay(file, line, f[5]), seasonTo = ParseMonthDay(file, line, f[6]);
            if ((seasonFrom is null) != (seasonTo is null))
            {
                throw StrictCsv.Fail(file, line, "season_from and season_to are both set or both empty");
            }

            if (string.IsNullOrWhiteSpace(f[1]) || string.IsNullOrWhiteSpace(f[7]))
            {
                throw StrictCsv.Fail(file, line, "region_name and note are required");
            }

            list.Add(new MiningRestriction(f[0], f[1], scope, from, to, seasonFrom, seasonTo, f[7]));
        }

        return new MiningRestrictions(list.ToArray());
    }

    private static MonthDay? ParseMonthDay(string file, int line, string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        // validated against a leap year so that 02-29 is accepted
        if (text.Length == 5 && text[2] == '-'
            && DateOnly.TryParseExact("2024-" + text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return new MonthDay(d.Month, d.Day);
        }

        throw StrictCsv.Fail(file, line, $"season '{text}' must be MM-DD");
    }
}
