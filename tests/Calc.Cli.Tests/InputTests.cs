namespace Calc.Cli.Tests;

public class InputTests
{
    [Theory]
    [InlineData("0,00012345", "0.00012345")]
    [InlineData("0.00012345", "0.00012345")]
    [InlineData("1 500 000,50", "1500000.50")]
    [InlineData("1\u00A0500\u00A0000,50", "1500000.50")]
    [InlineData(" 12 ", "12")]
    [InlineData("-0,5", "-0.5")]
    public void TryNormalizeDecimal_ExportForms_GiveInvariantText(string text, string expected)
    {
        Assert.True(Input.TryNormalizeDecimal(text, out var normalized));

        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("1,234.56")]
    [InlineData("1.234,56")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData("1,2,3")]
    [InlineData("NaN")]
    [InlineData("+5")]
    public void TryNormalizeDecimal_AmbiguousOrNotDecimal_Fails(string text) =>
        Assert.False(Input.TryNormalizeDecimal(text, out _));

    [Theory]
    [InlineData("2025-08-15", "2025-08-15")]
    [InlineData("15.08.2025", "2025-08-15")]
    public void TryNormalizeDate_IsoOrDayFirst_GivesIso(string text, string expected)
    {
        Assert.True(Input.TryNormalizeDate(text, out var iso));

        Assert.Equal(expected, iso);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("90", 90)]
    [InlineData("250ms", 0.25)]
    public void TryParseDuration_Units_GiveSeconds(string text, double seconds)
    {
        Assert.True(GlobalOptions.TryParseDuration(text, out var value));

        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }
}
