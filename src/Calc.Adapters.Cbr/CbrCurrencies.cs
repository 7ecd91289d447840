using System.Collections.Frozen;

namespace Calc.Adapters.Cbr;

/// <summary>
/// CBR internal currency IDs (<c>VAL_NM_RQ</c> of XML_dynamic) by ISO alpha code, as listed in the
/// XML_daily set of 2026 (the IDs are stable; extra ones can be configured).
/// </summary>
public static class CbrCurrencies
{
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
}
