using Calc.Domain.Money;

namespace Calc.Domain.Tests.Money;

public class RoundingTests
{
    [Theory]
    [InlineData("0.5", "1")]
    [InlineData("1.5", "2")]
    [InlineData("2.5", "3")]
    [InlineData("312000.5775", "312001")]
    [InlineData("312000.15", "312000")]
    [InlineData("312000.49", "312000")]
    [InlineData("-2.5", "-3")]
    public void TaxRoubles_Midpoints_RoundHalfAwayFromZero(string value, string expected)
    {
        decimal x = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Rounding.TaxRoubles.Apply(x));
        Assert.Equal(Rounding.TaxRoubles.Apply(x), Rounding.TaxRub(x));
    }

    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("0.015", "0.02")]
    [InlineData("0.025", "0.03")]
    [InlineData("363300.004999", "363300.00")]
    public void IncomeKopecks_Midpoints_RoundHalfAwayFromZero(string value, string expected)
    {
        decimal x = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Rounding.IncomeKopecks.Apply(x));
        Assert.Equal(Rounding.IncomeKopecks.Apply(x), Rounding.Kopecks(x));
    }

    [Fact]
    public void Policies_EachCiteABasis()
    {
        Assert.Contains("art. 52 p.6", Rounding.TaxRoubles.LegalBasis, StringComparison.Ordinal);
        Assert.All(new[] { Rounding.TaxRoubles, Rounding.IncomeKopecks, Rounding.Ratio },
            p => Assert.Equal(MidpointRounding.AwayFromZero, p.Mode));
    }
}
