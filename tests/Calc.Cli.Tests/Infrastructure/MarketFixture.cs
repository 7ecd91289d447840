using System.Globalization;

namespace Calc.Cli.Tests.Infrastructure;

/// <summary>
/// Expected figures derived from the market fixture's own rows (the data the test server imported), so
/// the tests restate the rules, not the numbers: the CBR rate in force on a day is the last one dated on
/// or before it; a close belongs to its UTC trading day.
/// </summary>
internal static class MarketFixture
{
    private static readonly Lazy<string[]> Closes = new(() => File.ReadAllLines(Path.Combine(Fixtures.Market, "closes.csv")).Skip(1).ToArray());
    private static readonly Lazy<string[]> Rates = new(() => File.ReadAllLines(Path.Combine(Fixtures.Market, "cbr-rates.csv")).Skip(1).ToArray());

    /// <summary>The close row's value text, e.g. "83983.2".</summary>
    public static string Close(string venue, string asset, string quote, string date) =>
        Closes.Value.Select(l => l.Split(',')).Single(f => f[0] == venue && f[1] == asset && f[2] == quote && f[3] == date)[4];

    /// <summary>(effective date, value text) of the CBR rate in force on <paramref name="date"/>.</summary>
    public static (string EffectiveDate, string Value) RateInForce(string currency, string date) =>
        Rates.Value.Select(l => l.Split(','))
            .Where(f => f[1] == currency && string.CompareOrdinal(f[0], date) <= 0)
            .OrderBy(f => f[0], StringComparer.Ordinal)
            .Select(f => (f[0], f[3]))
            .Last();

    /// <summary>amount × close × rate, rounded to kopecks half away from zero.</summary>
    public static string IncomeRub(string amount, string close, string rate) =>
        decimal.Round(Parse(amount) * Parse(close) * Parse(rate), 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    public static decimal Parse(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
