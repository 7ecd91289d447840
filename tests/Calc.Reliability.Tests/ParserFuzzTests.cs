using System.Text;
using Calc.Adapters.Cbr;
using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Domain.Errors;
using Calc.Reliability.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Reliability.Tests;

/// <summary>
/// Generated inputs for the parsers of files and upstream bodies: mutated CSV imports and CBR XML. Each input is
/// either parsed into values that pass the parser's own rules, or rejected with the parser's own error type —
/// never another exception, never a hang. Iterations: CALC_FUZZ_ITERATIONS (default 400 per property in CI).
/// </summary>
public sealed class ParserFuzzTests
{
    /// <summary>The import rules on the real clock, with the venues Calc has a client for.</summary>
    private static readonly ImportRules Rules = new(TimeProvider.System, VenueRegistry.SupportedOnly);

    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("CALC_FUZZ_ITERATIONS"), out int n) ? n : 400;

    private static readonly byte[] Closes = Encoding.UTF8.GetBytes(
        "venue,base,quote,date,close\nbinance,BTC,USDT,2025-03-14,83983.2\nbinance,BTC,USDT,2025-03-15,84338.44\ncoinbase,BTC,USD,2025-03-16,82562.57\n");

    private static readonly byte[] Rates = Encoding.UTF8.GetBytes(
        "date,char_code,nominal,value\n2025-03-14,USD,1,86.6190\n2025-03-15,USD,1,85.5694\n2026-03-03,EUR,1,90.7307\n");

    private static readonly byte[] Dynamic = Win1251(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?><ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\" name=\"Foreign Currency Market Dynamic\">"
        + "<Record Date=\"03.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,1734</Value><VunitRate>77,1734</VunitRate></Record>"
        + "<Record Date=\"04.03.2026\" Id=\"R01235\"><Nominal>1</Nominal><Value>77,6093</Value><VunitRate>77,6093</VunitRate></Record></ValCurs>");

    private static readonly byte[] Daily = Win1251(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?><ValCurs Date=\"04.03.2026\" name=\"Foreign Currency Market\">"
        + "<Valute ID=\"R01235\"><NumCode>840</NumCode><CharCode>USD</CharCode><Nominal>1</Nominal><Name>Доллар США</Name><Value>77,6093</Value><VunitRate>77,6093</VunitRate></Valute>"
        + "<Valute ID=\"R01375\"><NumCode>156</NumCode><CharCode>CNY</CharCode><Nominal>1</Nominal><Name>Юань</Name><Value>10,7030</Value><VunitRate>10,703</VunitRate></Valute></ValCurs>");

    [Fact]
    public void ClosesCsv_Mutated_ParsesToValidRowsOrReportsRowErrors()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Iterations), Prop.ForAll(Mutation.Arbitrary, mutations =>
        {
            var result = Guarded(() => MarketDataCsv.ParseCloses(new StringReader(Mutation.Utf8(Mutation.ApplyAll(Closes, mutations))), "closes.csv", Rules));
            return result is null || (result.Rows.All(r => r.Close > 0 && VenueRegistry.SupportedOnly.IsDeclared(r.Venue) && r.Date >= VenueRegistry.FirstBitcoinBlock) && result.Errors.All(e => e.Error.Reason.Length > 0));
        }));
    }

    [Fact]
    public void CbrRatesCsv_Mutated_ParsesToValidRowsOrReportsRowErrors()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Iterations), Prop.ForAll(Mutation.Arbitrary, mutations =>
        {
            var result = Guarded(() => MarketDataCsv.ParseCbrRates(new StringReader(Mutation.Utf8(Mutation.ApplyAll(Rates, mutations))), "cbr-rates.csv", Rules));
            return result is null || (result.Rows.All(r => ImportRules.CbrNominals.Contains(r.Nominal) && r.Value > 0 && CbrCurrencies.Published.Contains(r.Currency) && r.EffectiveDate >= ImportRules.FirstCbrRate) && result.Errors.All(e => e.Error.Reason.Length > 0));
        }));
    }

    [Fact]
    public void CbrXmlDynamic_Mutated_ParsesToPositiveRatesOrCbrFormatException()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Iterations), Prop.ForAll(Mutation.Arbitrary, mutations =>
        {
            try
            {
                var parsed = CbrXml.ParseDynamic(Mutation.ApplyAll(Dynamic, mutations));
                return parsed.Records.All(r => r.Nominal > 0 && r.Value > 0 && r.UnitRate > 0);
            }
            catch (CbrFormatException)
            {
                return true;
            }
        }));
    }

    [Fact]
    public void CbrXmlDaily_Mutated_ParsesToPositiveRatesOrCbrFormatException()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Iterations), Prop.ForAll(Mutation.Arbitrary, mutations =>
        {
            try
            {
                var parsed = CbrXml.ParseDaily(Mutation.ApplyAll(Daily, mutations));
                return parsed.Entries.All(e => e.Nominal > 0 && e.Value > 0 && e.CharCode.Length > 0);
            }
            catch (CbrFormatException)
            {
                return true;
            }
        }));
    }

    [Fact]
    public void CbrXml_EntityExpansionBomb_RejectedWithoutExpanding()
    {
        var bomb = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE v [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">");
        for (int i = 1; i < 12; i++)
        {
            bomb.Append(System.Globalization.CultureInfo.InvariantCulture, $"<!ENTITY a{i} \"{string.Concat(Enumerable.Repeat(i == 1 ? "&a;" : $"&a{i - 1};", 10))}\">");
        }

        bomb.Append("]><ValCurs ID=\"R01235\" DateRange1=\"01.03.2026\" DateRange2=\"05.03.2026\">&a11;</ValCurs>");
        long before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<CbrFormatException>(() => CbrXml.ParseDynamic(Encoding.UTF8.GetBytes(bomb.ToString())));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024 * 1024);
    }

    private static CsvParseResult<T>? Guarded<T>(Func<CsvParseResult<T>> parse)
    {
        try
        {
            return parse();
        }
        catch (CalcException e) when (e.Error.Reason.Length > 0)
        {
            return null; // a whole-file error (e.g. a broken header) with its reason
        }
    }

    private static byte[] Win1251(string s)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1251).GetBytes(s);
    }
}
