using Calc.Application.Valuation;
using Calc.Domain.Rules;

namespace Calc.Server.Hosting;

/// <summary>
/// Writes, once at startup, how this server answers the open questions of tax-rules §11: which choices are
/// server defaults (and their configuration keys), which a request makes, and which are fixed. Every answer
/// also records its choice (provenance or explanation lines); this line lets an auditor see the defaults of a
/// running server without a call.
/// </summary>
internal static partial class PolicyLog
{
    public static void Write(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Calc.Server.Policies");
        var valuation = services.GetRequiredService<ValuationOptions>();
        var rules = services.GetRequiredService<RuleSet>();
        PoliciesInForce(
            logger,
            rules.Version,
            valuation.DefaultTimeZone,
            valuation.DefaultUsdtPolicy.ToString(),
            valuation.DefaultVenue,
            valuation.DefaultQuoteCurrency);
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message =
        "Tax policies in force (tax-rules §11), rules {RulesVersion}: " +
        "Q1 income-date zone default {TimeZone} (Valuation:DefaultTimeZone; per request policy.time_zone); " +
        "Q2 USDT closes default {UsdtPolicy} (Valuation:DefaultUsdtPolicy; per request policy.usdt_policy; USDT_AS_USD recorded in provenance); " +
        "R2.5 venue/pair default {Venue} {QuoteCurrency} (Valuation:DefaultVenue, Valuation:DefaultQuoteCurrency; per request policy); " +
        "Q3 sale floor for individuals: not applied (the investment base is given by the caller); " +
        "Q4 cost of mined coins sold = recognised income (sale cost_rub from the caller); " +
        "Q5 expenses above mining income default CAP_AT_MINING_INCOME (per request expense_excess_policy); " +
        "Q6 loss carry-forward: off; " +
        "Q7 regional reduced rate: none unless a request gives regional_rate_override with its legal basis; " +
        "Q9 IP advance-payment day: the 28th (unified-deadline date, tax-rules D3); " +
        "Q8, Q10: reference only (decree numbers in legal-basis text; the 100 bn volume test is the operator's choice of venue)")]
    private static partial void PoliciesInForce(ILogger logger, string rulesVersion, string timeZone, string usdtPolicy, string venue, string quoteCurrency);
}
