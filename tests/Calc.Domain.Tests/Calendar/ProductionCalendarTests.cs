using Calc.Domain.Calendar;
using Calc.Domain.Errors;
using Calc.Domain.Rules;
using Calc.Domain.Tests.Support;
using Calc.Tests.Shared;

namespace Calc.Domain.Tests.Calendar;

public class ProductionCalendarTests
{
    private const string Valid = "date,kind,note\n2025-01-01,holiday,New Year\n2025-11-01,working,moved\n2025-12-31,holiday,moved\n";

    [Theory]
    [InlineData("2025-11-01", true)] // working Saturday
    [InlineData("2025-11-03", false)] // Monday, transferred day off
    [InlineData("2025-11-04", false)] // National Unity Day
    [InlineData("2025-11-05", true)]
    [InlineData("2025-11-08", false)] // plain Saturday
    [InlineData("2026-01-09", false)] // transferred from Sat 3 Jan 2026
    [InlineData("2027-02-20", true)] // working Saturday, also shortened
    public void IsWorkingDay_EmbeddedCalendar_FollowsDecrees(string date, bool working)
    {
        Assert.Equal(working, TestRules.Embedded.Calendar.IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)).Value);
    }

    [Fact]
    public void NextWorkingDay_NewYearBlock_SkipsToFirstWorkingDay()
    {
        var due = TestRules.Embedded.Calendar.NextWorkingDayOnOrAfter(new DateOnly(2026, 1, 1));

        Assert.Equal(new DateOnly(2026, 1, 12), due.Value);
    }

    [Theory]
    [InlineData("2023-12-29")]
    [InlineData("2028-01-20")]
    public void IsWorkingDay_OutsideKnownYears_CalendarOutOfRange(string date)
    {
        var result = TestRules.Embedded.Calendar.IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(Reasons.CalendarOutOfRange, result.Error!.Reason);
        Assert.Equal(ErrorCode.OutOfRange, result.Error.Code);
    }

    [Fact]
    public void Parse_ValidText_KnowsItsYears()
    {
        var calendar = ProductionCalendar.Parse(Valid);

        Assert.Equal(2025, calendar.FirstYear);
        Assert.Equal(2025, calendar.LastYear);
        Assert.False(calendar.IsWorkingDay(new DateOnly(2025, 12, 31)).Value);
    }

    [Theory]
    [InlineData("date;kind;note\n2025-01-01,holiday,x\n", "line 1")] // header
    [InlineData("date,kind,note\n2025-01-01,holiday\n", "line 2")] // field count
    [InlineData("date,kind,note\n2025-1-01,holiday,x\n", "line 2")] // date
    [InlineData("date,kind,note\n2025-01-02,holiday,x\n2025-01-01,holiday,x\n", "line 3")] // order
    [InlineData("date,kind,note\n2025-01-04,holiday,x\n", "line 2")] // holiday on a Saturday
    [InlineData("date,kind,note\n2025-01-01,working,x\n", "line 2")] // working on a Wednesday
    [InlineData("date,kind,note\n2025-01-01,feast,x\n", "line 2")] // kind
    [InlineData("date,kind,note\n2025-01-01,holiday,\n", "line 2")] // note
    [InlineData("date,kind,note\r\n2025-01-01,holiday,x\r\n", "CR")] // line endings
    [InlineData("date,kind,note\n2025-01-01,holiday,\"x\"\n", "quoted")] // quoting
    [InlineData("date,kind,note\n2024-01-01,holiday,x\n2026-01-01,holiday,x\n", "contiguous")] // missing year
    [InlineData("date,kind,note\n", "no data rows")]
    public void Parse_MalformedCsv_FailsWithLine(string csv, string expectedInMessage)
    {
        var ex = Assert.Throws<RuleSetLoadException>(() => ProductionCalendar.Parse(csv, "cal.csv"));

        Assert.Equal(RuleFileErrors.InvalidCsv, ex.Reason);
        Assert.Equal("cal.csv", ex.File);
        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5,X,whole,2025-01-01,2031-03-15,,,n")] // code
    [InlineData("05,X,all,2025-01-01,2031-03-15,,,n")] // scope
    [InlineData("05,X,whole,2031-01-01,2025-03-15,,,n")] // from > to
    [InlineData("05,X,whole,2025-01-01,2031-03-15,11-15,,n")] // half a season
    [InlineData("05,X,whole,2025-01-01,2031-03-15,13-15,03-15,n")] // bad month
    public void ParseRestrictions_MalformedRow_Fails(string row)
    {
        var ex = Assert.Throws<RuleSetLoadException>(() => MiningRestrictions.Parse(MiningRestrictions.Header + "\n" + row + "\n", "r.csv"));

        Assert.Equal(RuleFileErrors.InvalidCsv, ex.Reason);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedRestrictions_HaveAllFourteenRows()
    {
        var rows = TestRules.Embedded.Restrictions.Rows;

        Assert.Equal(14, rows.Count);
        Assert.Equal(2, rows.Count(r => r.RegionCode == "38"));
    }

    [SharedDataFact]
    public void EmbeddedReferenceData_EqualsTheSharedDataFiles()
    {
        var files = Rules.RuleSetLoaderTests.EmbeddedFiles();

        Assert.Equal(File.ReadAllText(SharedData.PathOf("ru-production-calendar.csv")), files[ParameterNames.CalendarFile]);
        Assert.Equal(File.ReadAllText(SharedData.PathOf("ru-mining-restrictions.csv")), files[ParameterNames.RestrictionsFile]);
    }
}
