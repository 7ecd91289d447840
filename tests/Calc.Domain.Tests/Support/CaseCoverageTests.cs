namespace Calc.Domain.Tests.Support;

public class CaseCoverageTests
{
    private static IEnumerable<string> Names(string area) =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Cases", area), "*.json").Select(Path.GetFileNameWithoutExtension)!;

    [Fact]
    public void Cases_CoverEveryWorkedExampleOfTaxRulesSection7()
    {
        var all = new[] { "ndfl", "profit_tax", "income" }.SelectMany(Names).ToList();

        for (int ex = 1; ex <= 15; ex++)
        {
            string prefix = $"ex{ex:00}";
            Assert.True(all.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)), $"no case for worked example {ex}");
        }
    }

    [Fact]
    public void Cases_CoverEveryDeadlineInstanceOfTaxRulesSection8()
    {
        var names = Names("deadlines").ToList();

        Assert.True(names.Count(n => n.StartsWith("d1_monthly_report_20", StringComparison.Ordinal)) >= 6, "D1 has six instances");
        Assert.Equal(4, names.Count(n => n.StartsWith("d2_", StringComparison.Ordinal)));
        Assert.Equal(13, names.Count(n => n.StartsWith("d4_", StringComparison.Ordinal)));
    }
}
