using Calc.Domain.Compliance;
using Calc.Domain.Deadlines;
using Calc.Domain.Errors;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Compliance;

public class ComplianceCaseTests
{
    public static TheoryData<string> Cases => CaseFile.Names("compliance");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_Case_MatchesExpected(string name)
    {
        // Arrange
        var c = CaseFile.Load("compliance", name);
        var input = new ComplianceInput(
            Enum.Parse<TaxpayerKind>(c.Input.Str("taxpayer_kind").Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true),
            Enum.Parse<TaxRegime>(c.Input.Str("tax_regime"), ignoreCase: true),
            [.. c.Input.Items("monthly_kwh").Select(Json.Dec)],
            c.Input.Str("region"),
            c.Input.Date("date"));

        // Act
        var result = ComplianceChecker.Check(input, TestRules.Embedded);

        // Assert
        if (c.Expected.TryGetProperty("error", out _))
        {
            CaseAssert.Error(c.Expected, result.Error, name);
            return;
        }

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        Assert.All(result.Value, f => Assert.False(string.IsNullOrWhiteSpace(f.LegalBasis)));
        Assert.All(result.Value.Where(f => f.Reason == Reasons.BannedTaxRegime), f =>
        {
            // the basis names the very regime the case states (USN, ESHN, AUSN, NPD, PSN: tax-rules R1.3)
            string regime = input.Regime.ToString().ToUpperInvariant();
            Assert.Contains(regime, f.LegalBasis, StringComparison.Ordinal);
            Assert.Contains(regime, f.Message, StringComparison.Ordinal);
        });
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["findings"] = result.Value.Select(f => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["reason"] = f.Reason,
                ["severity"] = f.Severity.ToString(),
                ["field"] = f.Field,
            }).ToList(),
        }, name);
    }
}
