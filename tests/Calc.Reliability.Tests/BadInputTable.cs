using System.Text;

namespace Calc.Reliability.Tests;

/// <summary>Where the failure of a bad input is reported: the whole call, or the first per-item error of a batch.</summary>
public enum Level
{
    Call,
    Item,
}

/// <summary>One malformed request and what Calc must answer: a gRPC status name and a stable ErrorInfo reason.</summary>
public sealed record BadInput(string Name, string Method, string Json, string Status, string Reason, Level Level = Level.Call)
{
    public override string ToString() => Name;
}

/// <summary>
/// The bad-input table: malformed requests across every calc.v1 unary method, each with the (status, reason)
/// a program can branch on. Each row runs through gRPC (Grpc.Net.Client) and Connect JSON (HTTP/1.1).
/// </summary>
public static class BadInputTable
{
    private const string Q = "calc.v1.QuoteService/";
    private const string I = "calc.v1.IncomeService/";
    private const string T = "calc.v1.TaxService/";
    private const string C = "calc.v1.CollateralService/";
    private const string Ia = "INVALID_ARGUMENT";
    private const string Nf = "NOT_FOUND";

    public static readonly BadInput[] Rows =
    [
        // ---- QuoteService/GetQuote
        new("quote month 13", Q + "GetQuote", """{"asset":"BTC","date":"2025-13-01"}""", Ia, "INVALID_DATE"),
        new("quote Feb 30", Q + "GetQuote", """{"asset":"BTC","date":"2025-02-30"}""", Ia, "INVALID_DATE"),
        new("quote Russian date format", Q + "GetQuote", """{"asset":"BTC","date":"16.03.2025"}""", Ia, "INVALID_DATE"),
        new("quote full-width digits", Q + "GetQuote", """{"asset":"BTC","date":"２０２５-03-16"}""", Ia, "INVALID_DATE"),
        new("quote date with time", Q + "GetQuote", """{"asset":"BTC","date":"2025-03-16T00:00:00Z"}""", Ia, "INVALID_DATE"),
        new("quote missing date", Q + "GetQuote", """{"asset":"BTC"}""", Ia, "MISSING_FIELD"),
        new("quote missing asset", Q + "GetQuote", """{"date":"2025-03-16"}""", Ia, "MISSING_FIELD"),
        new("quote unlisted asset", Q + "GetQuote", """{"asset":"NOPE","date":"2025-03-16"}""", Nf, "PRICE_NOT_FOUND"),
        new("quote unlisted venue", Q + "GetQuote", """{"asset":"BTC","venue":"mtgox","date":"2025-03-16"}""", Ia, "UNKNOWN_VENUE"),
        new("quote unlisted quote currency", Q + "GetQuote", """{"asset":"BTC","quote_currency":"XAU","date":"2025-03-16"}""", Nf, "PRICE_NOT_FOUND"),
        new("quote far future", Q + "GetQuote", """{"asset":"BTC","date":"2999-01-01"}""", "OUT_OF_RANGE", "DATE_OUT_OF_RANGE"),
        new("quote year 1", Q + "GetQuote", """{"asset":"BTC","date":"0001-01-01"}""", Nf, "PRICE_NOT_FOUND"),
        new("quote asset with NUL", Q + "GetQuote", """{"asset":"BTC\u0000","date":"2025-03-16"}""", Ia, "UNKNOWN_ASSET"),
        new("quote no data that day", Q + "GetQuote", """{"asset":"BTC","date":"2025-02-01"}""", Nf, "PRICE_NOT_FOUND"),

        // ---- QuoteService/BatchGetQuotes
        new("batch quotes empty", Q + "BatchGetQuotes", """{"requests":[]}""", Ia, "EMPTY_BATCH"),
        new("batch quotes over limit", Q + "BatchGetQuotes", Many("requests", 10_001, i => $$"""{"asset":"BTC","date":"2025-03-16","id":"q{{i}}"}"""), Ia, "TOO_MANY_ITEMS"),
        new("batch quotes duplicated id", Q + "BatchGetQuotes", """{"requests":[{"id":"a","asset":"BTC","date":"2025-03-16"},{"id":"a","asset":"BTC","date":"2025-03-17"}]}""", Ia, "DUPLICATE_ID", Level.Item),
        new("batch quotes bad item date", Q + "BatchGetQuotes", """{"requests":[{"asset":"BTC","date":"2025-03-16"},{"asset":"BTC","date":"2025-13-01"}]}""", Ia, "INVALID_DATE", Level.Item),
        new("batch quotes unlisted item venue", Q + "BatchGetQuotes", """{"requests":[{"asset":"BTC","venue":"nope","date":"2025-03-16"}]}""", Ia, "UNKNOWN_VENUE", Level.Item),

        // ---- QuoteService/GetCbrRate
        new("cbr missing currency", Q + "GetCbrRate", """{"date":"2025-01-05"}""", Ia, "MISSING_FIELD"),
        new("cbr lower-case currency", Q + "GetCbrRate", """{"currency":"usd","date":"2025-01-05"}""", Ia, "INVALID_CURRENCY"),
        new("cbr two-letter currency", Q + "GetCbrRate", """{"currency":"US","date":"2025-01-05"}""", Ia, "INVALID_CURRENCY"),
        new("cbr unknown currency", Q + "GetCbrRate", """{"currency":"GBP","date":"2025-01-05"}""", Nf, "UNKNOWN_CURRENCY"),
        new("cbr Feb 29 of a common year", Q + "GetCbrRate", """{"currency":"USD","date":"2025-02-29"}""", Ia, "INVALID_DATE"),
        new("cbr missing date", Q + "GetCbrRate", """{"currency":"USD"}""", Ia, "MISSING_FIELD"),
        new("cbr before the series", Q + "GetCbrRate", """{"currency":"USD","date":"1900-01-01"}""", Nf, "RATE_NOT_FOUND"),
        new("cbr far future", Q + "GetCbrRate", """{"currency":"USD","date":"2999-12-31"}""", "FAILED_PRECONDITION", "RATE_NOT_PUBLISHED"),

        // ---- QuoteService/ListCbrRates
        new("list rates from after to", Q + "ListCbrRates", """{"currencies":["USD"],"from":"2025-03-18","to":"2025-03-14"}""", Ia, "DATE_OUT_OF_RANGE"),
        new("list rates no currencies", Q + "ListCbrRates", """{"from":"2025-03-14","to":"2025-03-18"}""", Ia, "EMPTY_BATCH"),
        new("list rates bad from", Q + "ListCbrRates", """{"currencies":["USD"],"from":"2025/03/14","to":"2025-03-18"}""", Ia, "INVALID_DATE"),
        new("list rates two centuries", Q + "ListCbrRates", """{"currencies":["USD"],"from":"1900-01-01","to":"2100-01-01"}""", Ia, "DATE_OUT_OF_RANGE"),
        new("list rates bad currency", Q + "ListCbrRates", """{"currencies":["USD","€"],"from":"2025-03-14","to":"2025-03-18"}""", Ia, "INVALID_CURRENCY"),

        // ---- QuoteService/ImportClosingPrices, ImportCbrRates (every row invalid: nothing is stored)
        new("import closes empty", Q + "ImportClosingPrices", """{"prices":[]}""", Ia, "EMPTY_BATCH"),
        new("import closes comma decimal", Q + "ImportClosingPrices", """{"prices":[{"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-20","close":"84000,5"}]}""", Ia, "INVALID_DECIMAL", Level.Item),
        new("import closes negative close", Q + "ImportClosingPrices", """{"prices":[{"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-20","close":"-1"}]}""", Ia, "INVALID_AMOUNT", Level.Item),
        new("import closes bad date", Q + "ImportClosingPrices", """{"prices":[{"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-32","close":"84000"}]}""", Ia, "INVALID_DATE", Level.Item),
        new("import closes malformed venue", Q + "ImportClosingPrices", """{"prices":[{"venue":"Bin ance","base":"BTC","quote":"USDT","date":"2025-03-20","close":"84000"}]}""", Ia, "UNKNOWN_VENUE", Level.Item),
        new("import closes over limit", Q + "ImportClosingPrices", Many("prices", 10_001, i => """{"venue":"binance","base":"BTC","quote":"USDT","date":"2025-03-20","close":"1"}"""), Ia, "TOO_MANY_ITEMS"),
        new("import rates nominal 0", Q + "ImportCbrRates", """{"rates":[{"currency":"USD","effective_date":"2025-03-20","nominal":0,"value":"80"}]}""", Ia, "INVALID_AMOUNT", Level.Item),
        new("import rates exponent", Q + "ImportCbrRates", """{"rates":[{"currency":"USD","effective_date":"2025-03-20","nominal":1,"value":"8e1"}]}""", Ia, "INVALID_DECIMAL", Level.Item),
        new("import rates conflicting value", Q + "ImportCbrRates", """{"rates":[{"currency":"USD","effective_date":"2025-03-15","nominal":1,"value":"90.0000"}]}""", "ALREADY_EXISTS", "CONFLICTING_VALUE", Level.Item),
        new("import rates empty", Q + "ImportCbrRates", """{"rates":[]}""", Ia, "EMPTY_BATCH"),

        // ---- IncomeService/RecognizeIncome
        new("income empty", I + "RecognizeIncome", """{"receipts":[]}""", Ia, "EMPTY_BATCH"),
        new("income unknown zone", I + "RecognizeIncome", """{"policy":{"time_zone":"Mars/Olympus"},"receipts":[{"id":"1"}]}""", Ia, "INVALID_TIME_ZONE"),
        new("income zone path traversal", I + "RecognizeIncome", """{"policy":{"time_zone":"../../etc/passwd"},"receipts":[{"id":"1"}]}""", Ia, "INVALID_TIME_ZONE"),
        new("income malformed policy venue", I + "RecognizeIncome", """{"policy":{"venue":"Mt Gox"},"receipts":[{"id":"1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"1"}]}""", Ia, "UNKNOWN_VENUE"),
        new("income over limit", I + "RecognizeIncome", Many("receipts", 10_001, i => $$"""{"id":"r{{i}}","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.001"}"""), Ia, "TOO_MANY_ITEMS"),
        new("income duplicated receipt id", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.05"},{"id":"r1","received_at":"2025-03-16T21:30:00Z","asset":"BTC","amount":"0.05"}]}""", Ia, "DUPLICATE_ID", Level.Item),
        new("income comma amount", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0,05"}]}""", Ia, "INVALID_DECIMAL", Level.Item),
        new("income negative amount", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"-0.05"}]}""", Ia, "INVALID_AMOUNT", Level.Item),
        new("income zero amount", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0"}]}""", Ia, "INVALID_AMOUNT", Level.Item),
        new("income huge amount", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"100000000000000000000000000000000000000"}]}""", Ia, "INVALID_DECIMAL", Level.Item),
        new("income amount just under decimal max", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"79228162514264337593543950335"}]}""", Ia, "INVALID_AMOUNT", Level.Item),
        new("income 40 decimals", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"0.0000000000000000000000000000000000000001"}]}""", Ia, "INVALID_DECIMAL", Level.Item),
        new("income missing received_at", I + "RecognizeIncome", """{"receipts":[{"id":"r1","asset":"BTC","amount":"0.05"}]}""", Ia, "MISSING_FIELD", Level.Item),
        new("income unlisted asset", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"XYZ","amount":"1"}]}""", Nf, "PRICE_NOT_FOUND", Level.Item),
        new("income before the data", I + "RecognizeIncome", """{"receipts":[{"id":"r1","received_at":"2020-02-01T10:00:00Z","asset":"BTC","amount":"1"}]}""", Nf, "PRICE_NOT_FOUND", Level.Item),

        // ---- TaxService/ComputeNdfl
        new("ndfl exponent", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1e6"}""", Ia, "INVALID_DECIMAL"),
        new("ndfl leading space", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":" 1000"}""", Ia, "INVALID_DECIMAL"),
        new("ndfl NaN", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"NaN"}""", Ia, "INVALID_DECIMAL"),
        new("ndfl grouping", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1 000 000"}""", Ia, "INVALID_DECIMAL"),
        new("ndfl residency unspecified", T + "ComputeNdfl", """{"tax_year":2025,"mining_income_rub":"1000000"}""", Ia, "INVALID_ENUM"),
        new("ndfl residency unknown number", T + "ComputeNdfl", """{"tax_year":2025,"residency":77,"mining_income_rub":"1000000"}""", Ia, "INVALID_ENUM"),
        new("ndfl year 1999", T + "ComputeNdfl", """{"tax_year":1999,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1000000"}""", Ia, "UNSUPPORTED_TAX_YEAR"),
        new("ndfl negative income", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"-1000000"}""", Ia, "INVALID_AMOUNT"),
        new("ndfl income overflows the tax", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"79228162514264337593543950335","other_main_base_rub":"79228162514264337593543950335"}""", Ia, "INVALID_AMOUNT"),
        new("ndfl expense policy unknown", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1000","expense_excess_policy":9}""", Ia, "INVALID_ENUM"),

        // ---- TaxService/ComputeProfitTax
        new("profit period unspecified", T + "ComputeProfitTax", """{"tax_year":2025,"mining_income_rub":"10000000"}""", Ia, "INVALID_ENUM"),
        new("profit year 2019", T + "ComputeProfitTax", """{"tax_year":2019,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"10000000"}""", Ia, "UNSUPPORTED_TAX_YEAR"),
        new("profit negative expenses", T + "ComputeProfitTax", """{"tax_year":2025,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"100","mining_expenses_rub":"-5"}""", Ia, "INVALID_AMOUNT"),
        new("profit regional rate above 100 %", T + "ComputeProfitTax", """{"tax_year":2025,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"100","regional_rate_override":{"rate":"1.5","legal_basis":"law"}}""", Ia, "INVALID_RATE"),
        new("profit sale bad date", T + "ComputeProfitTax", """{"tax_year":2025,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"100","sales":[{"sale_date":"2025-00-10","asset":"BTC","amount":"1","proceeds_rub":"1","cost_rub":"1","quote_rub":"1"}]}""", Ia, "INVALID_DATE"),
        new("profit sale negative amount", T + "ComputeProfitTax", """{"tax_year":2025,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"100","sales":[{"sale_date":"2025-03-10","asset":"BTC","amount":"-1","proceeds_rub":"1","cost_rub":"1","quote_rub":"1"}]}""", Ia, "INVALID_AMOUNT"),

        // ---- TaxService/GetDeadlines
        new("deadlines kind unspecified", T + "GetDeadlines", """{"year":2025}""", Ia, "INVALID_ENUM"),
        new("deadlines year 0", T + "GetDeadlines", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","year":0}""", Ia, "UNSUPPORTED_TAX_YEAR"),
        new("deadlines year 99999", T + "GetDeadlines", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","year":99999}""", Ia, "UNSUPPORTED_TAX_YEAR"),

        // ---- TaxService/CheckCompliance
        new("compliance negative kWh", T + "CheckCompliance", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","tax_regime":"TAX_REGIME_NPD","monthly_kwh":["-5"],"date":"2025-06-01"}""", Ia, "INVALID_AMOUNT"),
        new("compliance kWh exponent", T + "CheckCompliance", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","tax_regime":"TAX_REGIME_NPD","monthly_kwh":["5e3"],"date":"2025-06-01"}""", Ia, "INVALID_DECIMAL"),
        new("compliance bad date", T + "CheckCompliance", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","tax_regime":"TAX_REGIME_NPD","monthly_kwh":["5"],"date":"2025-6-1"}""", Ia, "INVALID_DATE"),
        new("compliance kind unspecified", T + "CheckCompliance", """{"tax_regime":"TAX_REGIME_NPD","monthly_kwh":["5"],"date":"2025-06-01"}""", Ia, "INVALID_ENUM"),

        // ---- CollateralService
        new("collateral negative amount", C + "ValueCollateral", """{"asset":"BTC","amount":"-2","as_of":"2025-03-16"}""", Ia, "INVALID_AMOUNT"),
        new("collateral haircut above 1", C + "ValueCollateral", """{"asset":"BTC","amount":"2","as_of":"2025-03-16","haircut":"1.5"}""", Ia, "INVALID_RATE"),
        new("collateral margin call above liquidation", C + "ValueCollateral", """{"asset":"BTC","amount":"2","as_of":"2025-03-16","margin_call_ltv":"0.9","liquidation_ltv":"0.8"}""", Ia, "INVALID_THRESHOLD"),
        new("collateral bad as_of", C + "ValueCollateral", """{"asset":"BTC","amount":"2","as_of":"yesterday"}""", Ia, "INVALID_DATE"),
        new("collateral negative loan", C + "ValueCollateral", """{"asset":"BTC","amount":"2","as_of":"2025-03-16","loan_rub":"-1"}""", Ia, "INVALID_AMOUNT"),
        new("collateral unlisted asset", C + "ValueCollateral", """{"asset":"LUNA","amount":"2","as_of":"2025-03-16"}""", Nf, "PRICE_NOT_FOUND"),
        new("collateral batch empty", C + "BatchValueCollateral", """{"items":[]}""", Ia, "EMPTY_BATCH"),
        new("collateral batch duplicated id", C + "BatchValueCollateral", """{"items":[{"id":"a","asset":"BTC","amount":"2","as_of":"2025-03-16"},{"id":"a","asset":"BTC","amount":"1","as_of":"2025-03-16"}]}""", Ia, "DUPLICATE_ID", Level.Item),
        new("collateral batch over limit", C + "BatchValueCollateral", Many("items", 10_001, i => $$"""{"id":"c{{i}}","asset":"BTC","amount":"1","as_of":"2025-03-16"}"""), Ia, "TOO_MANY_ITEMS"),
        new("collateral batch bad item", C + "BatchValueCollateral", """{"items":[{"id":"a","asset":"BTC","amount":"2","as_of":"2025-03-16"},{"id":"b","asset":"BTC","amount":"x","as_of":"2025-03-16"}]}""", Ia, "INVALID_DECIMAL", Level.Item),
        // ---- added after the first run: unknown enum numbers, overflow of sums and products, malformed codes
        new("income usdt policy unknown number", I + "RecognizeIncome", """{"policy":{"usdt_policy":7},"receipts":[{"id":"r1","received_at":"2025-03-15T21:30:00Z","asset":"BTC","amount":"1"}]}""", Ia, "INVALID_ENUM"),
        new("quote malformed venue", Q + "GetQuote", """{"asset":"BTC","venue":"Bin ance","date":"2025-03-16"}""", Ia, "UNKNOWN_VENUE"),
        new("import rates lower-case currency", Q + "ImportCbrRates", """{"rates":[{"currency":"usd","effective_date":"2025-03-20","nominal":1,"value":"80"}]}""", Ia, "INVALID_CURRENCY", Level.Item),
        // ---- import validation (issue 16): dates in the future or before the floor, nominals, currencies, venues
        new("import rates effective 2099", Q + "ImportCbrRates", """{"rates":[{"currency":"USD","effective_date":"2099-01-01","nominal":1,"value":"80"}]}""", Ia, "DATE_IN_FUTURE", Level.Item),
        new("import rates before the first CBR rate", Q + "ImportCbrRates", """{"rates":[{"currency":"USD","effective_date":"1900-01-01","nominal":1,"value":"80"}]}""", Ia, "DATE_TOO_EARLY", Level.Item),
        new("import rates nominal int max", Q + "ImportCbrRates", """{"rates":[{"currency":"USD","effective_date":"2025-03-20","nominal":2147483647,"value":"80"}]}""", Ia, "INVALID_NOMINAL", Level.Item),
        new("import rates currency XXX", Q + "ImportCbrRates", """{"rates":[{"currency":"XXX","effective_date":"2025-03-20","nominal":1,"value":"80"}]}""", Ia, "UNKNOWN_CURRENCY", Level.Item),
        new("import rates currency RUB", Q + "ImportCbrRates", """{"rates":[{"currency":"RUB","effective_date":"2025-03-20","nominal":1,"value":"1"}]}""", Ia, "RUB_IMPLICIT", Level.Item),
        new("import closes undeclared venue", Q + "ImportClosingPrices", """{"prices":[{"venue":"evil","base":"BTC","quote":"USDT","date":"2025-03-20","close":"84000"}]}""", Ia, "UNKNOWN_VENUE", Level.Item),
        new("import closes dated 1900", Q + "ImportClosingPrices", """{"prices":[{"venue":"binance","base":"BTC","quote":"USDT","date":"1900-01-01","close":"84000"}]}""", Ia, "DATE_TOO_EARLY", Level.Item),
        new("import closes dated 2099", Q + "ImportClosingPrices", """{"prices":[{"venue":"binance","base":"BTC","quote":"USDT","date":"2099-01-01","close":"84000"}]}""", "FAILED_PRECONDITION", "PRICE_NOT_FINAL", Level.Item),
        new("collateral amount near decimal max", C + "ValueCollateral", """{"asset":"BTC","amount":"79228162514264337593543950335","as_of":"2025-03-16"}""", Ia, "INVALID_AMOUNT"),
        new("collateral loan near decimal max", C + "ValueCollateral", """{"asset":"BTC","amount":"1","as_of":"2025-03-16","loan_rub":"79228162514264337593543950335"}""", Ia, "INVALID_AMOUNT"),
        new("profit sale proceeds near decimal max", T + "ComputeProfitTax", """{"tax_year":2025,"period":"PROFIT_TAX_PERIOD_YEAR","mining_income_rub":"79228162514264337593543950335","sales":[{"sale_date":"2025-03-10","asset":"BTC","amount":"1","proceeds_rub":"79228162514264337593543950335","cost_rub":"1","quote_rub":"1"}]}""", Ia, "INVALID_AMOUNT"),
        new("compliance 121 months", T + "CheckCompliance", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","tax_regime":"TAX_REGIME_NPD","monthly_kwh":["5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5","5"],"date":"2025-06-01"}""", Ia, "TOO_MANY_ITEMS"),
        new("ndfl negative withheld", T + "ComputeNdfl", """{"tax_year":2025,"residency":"RESIDENCY_RESIDENT","mining_income_rub":"1000","withheld_rub":"-0.01"}""", Ia, "INVALID_AMOUNT"),
        new("compliance unknown regime number", T + "CheckCompliance", """{"taxpayer_kind":"TAXPAYER_KIND_INDIVIDUAL","tax_regime":42,"monthly_kwh":["5"],"date":"2025-06-01"}""", Ia, "INVALID_ENUM"),
        new("deadlines unknown kind number", T + "GetDeadlines", """{"taxpayer_kind":12,"year":2025}""", Ia, "INVALID_ENUM"),
        new("profit period unknown number", T + "ComputeProfitTax", """{"tax_year":2025,"period":99,"mining_income_rub":"100"}""", Ia, "INVALID_ENUM"),
    ];

    /// <summary>Row names (serializable, so each row is its own test case).</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var row in Rows)
        {
            data.Add(row.Name);
        }

        return data;
    }

    public static BadInput Row(string name) => Rows.Single(r => r.Name == name);

    private static string Many(string field, int count, Func<int, string> item)
    {
        var sb = new StringBuilder("{\"").Append(field).Append("\":[");
        for (int i = 0; i < count; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append(item(i));
        }

        return sb.Append("]}").ToString();
    }
}
