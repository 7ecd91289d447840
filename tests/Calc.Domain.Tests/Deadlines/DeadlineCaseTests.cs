using System.Globalization;
using Calc.Domain.Deadlines;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Deadlines;

public class DeadlineCaseTests
{
    public static TheoryData<string> Cases => CaseFile.Names("deadlines");

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForYear_Case_MatchesExpected(string name)
    {
        // Arrange
        var c = CaseFile.Load("deadlines", name);
        var kind = c.Input.Str("taxpayer_kind") switch
        {
            "ORGANIZATION" => TaxpayerKind.Organization,
            "INDIVIDUAL_ENTREPRENEUR" => TaxpayerKind.IndividualEntrepreneur,
            _ => TaxpayerKind.Individual,
        };
        var deadlineKind = Enum.Parse<DeadlineKind>(c.Input.Str("kind").Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);

        // Act
        var result = DeadlineCalculator.ForYear(kind, c.Input.Int("year"), TestRules.Embedded.Calendar);

        // Assert
        if (c.Expected.TryGetProperty("error", out _))
        {
            CaseAssert.Error(c.Expected, result.Error, name);
            return;
        }

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        var d = Assert.Single(result.Value, x => x.Kind == deadlineKind && x.Period == c.Input.Str("period"));
        if (c.Expected.TryGetProperty("due_date_error", out var dueError))
        {
            // the calendar cannot settle the shift: the statutory date stands, the due date is an explicit error
            Assert.Null(d.DueDate);
            Assert.Equal(dueError.GetString(), d.DueDateError?.Reason);
            Assert.Equal("due_date", d.DueDateError!.Field);
            Assert.Equal(c.Expected.GetProperty("statutory_date").GetString(), d.StatutoryDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            return;
        }

        Assert.Null(d.DueDateError);
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["statutory_date"] = d.StatutoryDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["due_date"] = d.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, name);
        Assert.False(string.IsNullOrWhiteSpace(d.LegalBasis));
    }
}

public class DeadlineCalendarEdgeTests
{
    [Fact]
    public void ForYear_2027Individual_SettledWhereTheCalendarReachesExplicitErrorsBeyond()
    {
        // Act
        var result = DeadlineCalculator.ForYear(TaxpayerKind.Individual, 2027, TestRules.Embedded.Calendar);

        // Assert: 12 monthly reports + 3-NDFL declaration + payment, all listed
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(14, result.Value.Count);
        Assert.Equal(11, result.Value.Count(d => d.DueDate is not null && d.DueDateError is null));
        Assert.All(result.Value.Where(d => d.DueDate is null), d =>
        {
            Assert.True(d.StatutoryDate.Year == 2028, $"{d.Period}: only 2028 dates are outside the calendar");
            Assert.Equal(Calc.Domain.Errors.Reasons.CalendarOutOfRange, d.DueDateError?.Reason);
        });
        Assert.Equal(result.Value.OrderBy(d => d.StatutoryDate).ThenBy(d => d.Kind), result.Value);
    }
}
