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
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["statutory_date"] = d.StatutoryDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["due_date"] = d.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, name);
        Assert.False(string.IsNullOrWhiteSpace(d.LegalBasis));
    }
}
