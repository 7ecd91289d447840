using System.Collections.Frozen;

namespace Calc.Application.MarketData;

/// <summary>
/// The currencies the Bank of Russia sets official rouble rates for: what a CBR rate import may name (ISO 4217
/// alphabetic codes) and, for those it still publishes, the CBR's internal currency ID (<c>VAL_NM_RQ</c> of
/// XML_dynamic) the CBR client asks for. The rouble is not among them: its rate is 1 by definition.
/// </summary>
public static class CbrCurrencies
{
    /// <summary>
    /// CBR internal currency IDs by ISO alpha code, as listed in the XML_daily set of 2026 (the IDs are stable;
    /// the workspace's <c>shared/data/samples</c> hold that set).
    /// </summary>
    public static readonly FrozenDictionary<string, string> Ids = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AUD"] = "R01010", ["AZN"] = "R01020A", ["DZD"] = "R01030", ["GBP"] = "R01035", ["AMD"] = "R01060",
        ["BHD"] = "R01080", ["BYN"] = "R01090B", ["BOB"] = "R01105", ["BRL"] = "R01115", ["HUF"] = "R01135",
        ["VND"] = "R01150", ["HKD"] = "R01200", ["GEL"] = "R01210", ["DKK"] = "R01215", ["AED"] = "R01230",
        ["USD"] = "R01235", ["EUR"] = "R01239", ["EGP"] = "R01240", ["INR"] = "R01270", ["IDR"] = "R01280",
        ["IRR"] = "R01300", ["KZT"] = "R01335", ["CAD"] = "R01350", ["QAR"] = "R01355", ["KGS"] = "R01370",
        ["CNY"] = "R01375", ["CUP"] = "R01395", ["MDL"] = "R01500", ["MNT"] = "R01503", ["NGN"] = "R01520",
        ["NZD"] = "R01530", ["NOK"] = "R01535", ["OMR"] = "R01540", ["PLN"] = "R01565", ["SAR"] = "R01580",
        ["RON"] = "R01585F", ["XDR"] = "R01589", ["SGD"] = "R01625", ["TJS"] = "R01670", ["THB"] = "R01675",
        ["BDT"] = "R01685", ["TRY"] = "R01700J", ["TMT"] = "R01710A", ["UZS"] = "R01717", ["UAH"] = "R01720",
        ["CZK"] = "R01760", ["SEK"] = "R01770", ["CHF"] = "R01775", ["ETB"] = "R01800", ["RSD"] = "R01805F",
        ["ZAR"] = "R01810", ["KRW"] = "R01815", ["JPY"] = "R01820", ["MMK"] = "R02005",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Codes the CBR set rates for and has since dropped, so that an import of older rates is not refused: the
    /// Bulgarian lev (in the CBR's daily set until Bulgaria joined the euro; the 27.09.2023 sample in
    /// <c>shared/data/samples</c> has it), the ECU and the euro's predecessors (until the euro replaced them), the
    /// Baltic currencies (until their euro adoption), and the codes replaced by a redenomination (BYR → BYN,
    /// AZM → AZN, TMM → TMT, ROL → RON, TRL → TRY; in <see cref="Ids"/> the new code's ID is the old ID with a
    /// letter appended). Calc has no CBR ID for them: they are imported from files or the API, never fetched.
    /// </summary>
    public static readonly FrozenSet<string> Former = new[]
    {
        "BGN", "ATS", "BEF", "DEM", "ESP", "FIM", "FRF", "GRD", "IEP", "ITL", "NLG", "PTE", "XEU",
        "EEK", "LVL", "LTL", "BYR", "AZM", "TMM", "ROL", "TRL",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every code a CBR rate may be imported for: <see cref="Ids"/>' codes and <see cref="Former"/>.</summary>
    public static readonly FrozenSet<string> Published = Ids.Keys.Concat(Former).ToFrozenSet(StringComparer.Ordinal);
}
