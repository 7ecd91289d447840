using System.Text;
using Calc.Application.MarketData;
using Calc.Tests.Shared;

namespace Calc.Adapters.Cbr.Tests;

public sealed class CbrXmlTests
{
    static CbrXmlTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static byte[] Win1251(string xml) =>
        Encoding.GetEncoding(1251).GetBytes("<?xml version=\"1.0\" encoding=\"windows-1251\"?>" + xml);

    [SharedDataFact]
    public void Parse_EveryRecordedSample_ParsesByteForByteWithConsistentUnitRates()
    {
        var files = Directory.GetFiles(Path.Combine(SharedData.Root!, "samples"), "cbr-xml-*.xml");

        Assert.Equal(9, files.Length);
        foreach (string file in files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            if (Path.GetFileName(file).StartsWith("cbr-xml-daily", StringComparison.Ordinal))
            {
                var daily = CbrXml.ParseDaily(bytes);
                Assert.True(daily.Entries.Count >= 43, file);
                Assert.All(daily.Entries, e => Assert.Equal(e.Value / e.Nominal, e.UnitRate));
            }
            else
            {
                var dynamic = CbrXml.ParseDynamic(bytes);
                Assert.NotEmpty(dynamic.Records);
                Assert.All(dynamic.Records, r => Assert.InRange(r.Date, dynamic.From, dynamic.To));
            }
        }
    }

    [SharedDataFact]
    public void ParseDynamic_UsdFirstFiveDaysOfMarch_ReturnsOnlyDatesWithARecord()
    {
        var parsed = CbrXml.ParseDynamic(Samples.Read(Samples.UsdMar1To5));

        Assert.Equal("R01235", parsed.Id);
        Assert.Equal(new DateOnly(2026, 3, 1), parsed.From);
        Assert.Equal(new DateOnly(2026, 3, 5), parsed.To);
        Assert.Equal(
            [(new DateOnly(2026, 3, 3), 77.1734m), (new DateOnly(2026, 3, 4), 77.6093m), (new DateOnly(2026, 3, 5), 77.8009m)],
            parsed.Records.Select(r => (r.Date, r.Value)));
        Assert.All(parsed.Records, r => Assert.Equal(1, r.Nominal));
    }

    [SharedDataFact]
    public void ParseDynamic_JpyNominal100_UnitRateIsValueOverNominal()
    {
        var parsed = CbrXml.ParseDynamic(Samples.Read(Samples.JpyMar1To19));

        var first = parsed.Records[0];
        Assert.Equal(new DateOnly(2026, 3, 3), first.Date);
        Assert.Equal(100, first.Nominal);
        Assert.Equal(49.3436m, first.Value);
        Assert.Equal(0.493436m, first.UnitRate);
        Assert.Equal(12, parsed.Records.Count);
    }

    [SharedDataTheory]
    [InlineData(Samples.UsdMar1To19, "USD")]
    [InlineData(Samples.EurMar1To19, "EUR")]
    [InlineData(Samples.CnyMar1To19, "CNY")]
    public void ParseDynamic_RecordedResponse_EqualsEveryRowOfTheRatesFile(string sample, string currency)
    {
        var csv = Samples.CsvRates();

        var parsed = CbrXml.ParseDynamic(Samples.Read(sample));

        Assert.Equal(CbrCurrencies.Ids[currency], parsed.Id);
        Assert.Equal(12, parsed.Records.Count);
        foreach (var r in parsed.Records)
        {
            Assert.Equal(csv[(currency, r.Date)], (r.Nominal, r.Value));
        }

        // the file holds no row in the recorded range that the response lacks
        var inRange = csv.Keys.Where(k => k.Item1 == currency && k.Item2 >= parsed.From && k.Item2 <= parsed.To).Select(k => k.Item2).Order();
        Assert.Equal(inRange, parsed.Records.Select(r => r.Date));
    }

    [SharedDataTheory]
    [InlineData(Samples.DailyMar17, "2026-03-17", 81.0517, 92.6555)]
    [InlineData(Samples.DailyMar19, "2026-03-19", 83.1259, 94.6663)]
    [InlineData(Samples.DailySunday, "2026-04-25", null, 88.2826)]
    public void ParseDaily_RecordedResponse_ReadsDateAndRates(string sample, string date, double? usd, double eur)
    {
        var parsed = CbrXml.ParseDaily(Samples.Read(sample));

        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), parsed.Date);
        Assert.Equal(54, parsed.Entries.Count);
        var byCode = parsed.Entries.ToDictionary(e => e.CharCode);
        Assert.Equal((decimal)eur, byCode["EUR"].Value);
        if (usd is not null)
        {
            Assert.Equal((decimal)usd.Value, byCode["USD"].Value);
        }

        Assert.Equal("Доллар США", byCode["USD"].Name);
        Assert.Equal("840", byCode["USD"].NumCode);
        Assert.Equal(100, byCode["JPY"].Nominal);
        Assert.All(parsed.Entries, e => Assert.Equal(CbrCurrencies.Ids[e.CharCode], e.Id));
    }

    [SharedDataFact]
    public void ParseDaily_SundayResponse_CnyVunitRateWithTrimmedZerosEqualsValue()
    {
        var cny = CbrXml.ParseDaily(Samples.Read(Samples.DailySunday)).Entries.Single(e => e.CharCode == "CNY");

        Assert.Equal(11.0270m, cny.Value);
        Assert.Equal(11.027m, cny.UnitRate);
    }

    [SharedDataFact]
    public void ParseDaily_Utf8ResaveWithoutDeclarationOrVunitRate_ComputesUnitRate()
    {
        var parsed = CbrXml.ParseDaily(Samples.Read(Samples.Daily2023Utf8));

        Assert.Equal(new DateOnly(2023, 9, 27), parsed.Date);
        Assert.Equal(43, parsed.Entries.Count);
        var usd = parsed.Entries.Single(e => e.CharCode == "USD");
        Assert.Equal(96.2378m, usd.Value);
        Assert.Equal(96.2378m, usd.UnitRate);
        Assert.Equal("Доллар США", usd.Name);
    }

    [SharedDataTheory]
    [InlineData(Samples.UsdMar1To19)]
    [InlineData(Samples.DailyMar19)]
    public void Parse_RecordedResponseTruncatedAnywhere_ThrowsFormatException(string sample)
    {
        byte[] full = Samples.Read(sample);
        bool daily = sample.Contains("daily", StringComparison.Ordinal);

        for (int length = 0; length < full.Length; length += 7)
        {
            byte[] cut = full[..length];
            Assert.Throws<CbrFormatException>(() =>
            {
                if (daily) { CbrXml.ParseDaily(cut); } else { CbrXml.ParseDynamic(cut); }
            });
        }
    }

    [Fact]
    public void ParseDynamic_EmptyRange_ReturnsNoRecords()
    {
        var parsed = CbrXml.ParseDynamic(Win1251("<ValCurs ID=\"R01235\" DateRange1=\"01.01.2024\" DateRange2=\"08.01.2024\" name=\"Foreign Currency Market Dynamic\"></ValCurs>"));

        Assert.Empty(parsed.Records);
        Assert.Equal(new DateOnly(2024, 1, 8), parsed.To);
    }

    [Theory]
    [InlineData("<html><body>DDoS-Guard</body></html>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77.1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>0</Nominal><Value>77,1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"2026-03-03\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01239\"><Nominal>1</Nominal><Value>77,1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"09.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,1734</Value><VunitRate>77,17</VunitRate></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"04.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,6093</Value></Record><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>-77,1734</Value></Record></ValCurs>")]
    [InlineData("<ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"><Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,17,34</Value></Record></ValCurs>")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"77,1\">]><ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\"></ValCurs>")]
    public void ParseDynamic_MalformedDocument_ThrowsFormatException(string xml)
    {
        Assert.Throws<CbrFormatException>(() => CbrXml.ParseDynamic(Win1251(xml)));
    }

    [Theory]
    [InlineData("<ValCurs name=\"Foreign Currency Market\"></ValCurs>")]
    [InlineData("<ValCurs Date=\"25.04.2026\"><Valute ID=\"R01235\"><CharCode>USD</CharCode><Nominal>1</Nominal><Value>75,0</Value></Valute><Valute ID=\"R01235\"><CharCode>USD</CharCode><Nominal>1</Nominal><Value>75,0</Value></Valute></ValCurs>")]
    [InlineData("<ValCurs Date=\"25.04.2026\"><Valute ID=\"R01820\"><CharCode>JPY</CharCode><Nominal>100</Nominal><Value>47,2636</Value><VunitRate>47,2636</VunitRate></Valute></ValCurs>")]
    [InlineData("<ValCurs Date=\"25.04.2026\"><Valute ID=\"R01235\"><Nominal>1</Nominal><Value>75,0</Value></Valute></ValCurs>")]
    [InlineData("<Other Date=\"25.04.2026\"></Other>")]
    public void ParseDaily_MalformedDocument_ThrowsFormatException(string xml)
    {
        Assert.Throws<CbrFormatException>(() => CbrXml.ParseDaily(Win1251(xml)));
    }

    [Theory]
    [InlineData("77,1734", "77.1734")]
    [InlineData("0,493436", "0.493436")]
    [InlineData("83", "83")]
    [InlineData("11,027", "11.027")]
    public void ParseComma_CbrNumber_ReturnsExactDecimal(string text, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CbrXml.ParseComma(text, "x"));
    }

    [Theory]
    [InlineData("5,88139E-05", "0.0000588139")]
    [InlineData("11,027", "11.027")]
    [InlineData("1,5E+02", "150")]
    public void ParseVunitRate_DoubleStyleText_ReturnsExactDecimal(string text, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CbrXml.ParseVunitRate(text, "x"));
    }

    [SharedDataFact]
    public void ParseDaily_SundayResponse_IranianRialExponentVunitRateMatchesNominalMillion()
    {
        var irr = CbrXml.ParseDaily(Samples.Read(Samples.DailySunday)).Entries.Single(e => e.CharCode == "IRR");

        Assert.Equal(1_000_000, irr.Nominal);
        Assert.Equal(53.9256m, irr.Value);
        Assert.Equal(0.0000539256m, irr.UnitRate);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",5")]
    [InlineData("5,")]
    [InlineData("1 234,5")]
    [InlineData("1e3")]
    [InlineData("0")]
    public void ParseComma_NotACbrNumber_Throws(string text)
    {
        Assert.Throws<CbrFormatException>(() => CbrXml.ParseComma(text, "x"));
    }
}
