using Calc.Tests.Shared;

namespace Calc.Adapters.Cbr.Tests;

internal static class Samples
{
    public const string DailyMar17 = "cbr-xml-daily_date_req-17-03-2026.xml";
    public const string DailyMar19 = "cbr-xml-daily_no-date_fetched-2026-03-19.xml";
    public const string DailySunday = "cbr-xml-daily_no-date_fetched-sunday-2026-04-26.xml";
    public const string Daily2023Utf8 = "cbr-xml-daily_27-09-2023_utf8-resaved-no-declaration.xml";
    public const string UsdMar1To5 = "cbr-xml-dynamic_R01235-USD_01-03-2026_05-03-2026.xml";
    public const string UsdMar1To19 = "cbr-xml-dynamic_R01235-USD_01-03-2026_19-03-2026.xml";
    public const string EurMar1To19 = "cbr-xml-dynamic_R01239-EUR_01-03-2026_19-03-2026.xml";
    public const string CnyMar1To19 = "cbr-xml-dynamic_R01375-CNY_01-03-2026_19-03-2026.xml";
    public const string JpyMar1To19 = "cbr-xml-dynamic_R01820-JPY-nominal100_01-03-2026_19-03-2026.xml";

    public static byte[] Read(string name) => File.ReadAllBytes(SharedData.PathOf(Path.Combine("samples", name)));

    /// <summary>The USD rows of cbr-rates.csv: effective date → value.</summary>
    public static Dictionary<(string, DateOnly), (int Nominal, decimal Value)> CsvRates()
    {
        var map = new Dictionary<(string, DateOnly), (int, decimal)>();
        foreach (var line in File.ReadLines(SharedData.PathOf("cbr-rates.csv")).Skip(1))
        {
            var f = line.Split(',');
            map[(f[1], DateOnly.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture))] =
                (int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));
        }

        return map;
    }
}
