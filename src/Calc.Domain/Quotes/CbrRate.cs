namespace Calc.Domain.Quotes;

/// <summary>
/// An official Bank of Russia rate as published: <see cref="Value"/> roubles per <see cref="Nominal"/> units
/// of <see cref="Currency"/>, in force from <see cref="EffectiveDate"/> (the day after it was set) until the
/// next published rate takes effect.
/// </summary>
public sealed record CbrRate(string Currency, DateOnly EffectiveDate, int Nominal, decimal Value)
{
    /// <summary>Roubles per one unit, full precision (<c>Value / Nominal</c>).</summary>
    public decimal UnitRate => Nominal == 1 ? Value : Value / Nominal;
}
