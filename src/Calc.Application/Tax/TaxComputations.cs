using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Compliance;
using Calc.Domain.Deadlines;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;
using Calc.Domain.Tax;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;

namespace Calc.Application.Tax;

/// <summary>ComputeNdfl as sent: RUB amounts as decimal strings ("" = 0 where optional).</summary>
public sealed record NdflRequest(int TaxYear, Residency? Residency, string MiningIncomeRub, string MiningExpensesRub,
    string OtherMainBaseRub, string WithheldRub, string InvestmentBaseRub, ExpenseExcessPolicy? ExpenseExcess);

/// <summary>One sale as sent; <see cref="QuoteRub"/> "" = look the quote up.</summary>
public sealed record SaleRequest(string SaleDate, string Asset, string Amount, string ProceedsRub, string CostRub, string QuoteRub);

/// <summary>ComputeProfitTax as sent.</summary>
public sealed record ProfitTaxRequest(int TaxYear, ReportingPeriod? Period, string MiningIncomeRub, string MiningExpensesRub,
    IReadOnlyList<SaleRequest> Sales, (string Rate, string LegalBasis)? RegionalOverride, PolicyInput? Policy);

/// <summary>A computed profit tax with the pricing used for each sale whose quote was looked up (null where given).</summary>
public sealed record ProfitTaxOutcome(ProfitTaxResult Result, IReadOnlyList<PricedClose?> SalePricings);

/// <summary>CheckCompliance as sent.</summary>
public sealed record ComplianceRequest(TaxpayerKind? Kind, TaxRegime? Regime, IReadOnlyList<string> MonthlyKwh, string Region, string Date);

/// <summary>
/// The tax use cases: validation of the raw request (a bad field fails the call with its reason and field),
/// quote lookups for sales, then the pure domain computation with the loaded rule set.
/// </summary>
public sealed class TaxComputations(RuleSet rules, Pricer pricer, ValuationOptions options)
{
    /// <summary>Most sales in one profit-tax request.</summary>
    public const int MaxSales = 10_000;

    public string RulesVersion => rules.Version;

    public NdflResult ComputeNdfl(NdflRequest r)
    {
        var residency = r.Residency ?? throw Fail(CalcError.Invalid(Reasons.InvalidEnum, "residency", "residency is required (RESIDENCY_RESIDENT or RESIDENCY_NON_RESIDENT)"));
        CheckYear(r.TaxYear, "tax_year");
        decimal income = Amount(r.MiningIncomeRub, "mining_income_rub", required: true);
        decimal expenses = Amount(r.MiningExpensesRub, "mining_expenses_rub");
        decimal other = Amount(r.OtherMainBaseRub, "other_main_base_rub");
        decimal withheld = Amount(r.WithheldRub, "withheld_rub");
        decimal investment = 0m;
        if (Inputs.OptionalDecimal(r.InvestmentBaseRub, "investment_base_rub", 0m, out investment) is { } investmentError)
        {
            throw Fail(investmentError); // may be negative: a net loss on sales gives investment tax 0
        }

        var input = new NdflInput(r.TaxYear, residency, income, expenses, other, withheld, investment,
            Options: new NdflOptions(r.ExpenseExcess ?? ExpenseExcessPolicy.CapAtMiningIncome));
        return RubAmounts.ForOutput(Unwrap(() => NdflCalculator.Compute(input, rules)));
    }

    public async ValueTask<ProfitTaxOutcome> ComputeProfitTaxAsync(ProfitTaxRequest r, CancellationToken cancellationToken)
    {
        var period = r.Period ?? throw Fail(CalcError.Invalid(Reasons.InvalidEnum, "period", "period is required (Q1, H1, M9 or YEAR)"));
        CheckYear(r.TaxYear, "tax_year");
        decimal income = Amount(r.MiningIncomeRub, "mining_income_rub");
        decimal expenses = Amount(r.MiningExpensesRub, "mining_expenses_rub");
        if (r.Sales.Count > MaxSales)
        {
            throw Fail(CalcError.Invalid(Reasons.TooManyItems, "sales", $"sales has {r.Sales.Count} items; the limit is {MaxSales}"));
        }

        var sales = new CryptoSale[r.Sales.Count];
        var lookups = new List<(int Index, PriceKey Key)>();
        ResolvedPolicy? policy = null;
        for (int i = 0; i < r.Sales.Count; i++)
        {
            var s = r.Sales[i];
            string f = $"sales[{i}].";
            DateOnly date = default;
            decimal amount = 0m;
            var error = Inputs.Date(s.SaleDate, f + "sale_date", out date)
                ?? Inputs.AssetCode(s.Asset, f + "asset")
                ?? Inputs.Decimal(s.Amount, f + "amount", out amount)
                ?? Inputs.Positive(amount, f + "amount");
            if (error is not null)
            {
                throw Fail(error);
            }

            decimal proceeds = Amount(s.ProceedsRub, f + "proceeds_rub", required: true);
            decimal cost = Amount(s.CostRub, f + "cost_rub", required: true);
            decimal? quote = null;
            if (!string.IsNullOrEmpty(s.QuoteRub))
            {
                quote = Amount(s.QuoteRub, f + "quote_rub", required: true);
            }
            else
            {
                if (policy is null)
                {
                    policy = ResolvedPolicy.Resolve(r.Policy, options);
                    if (pricer.CheckVenue(policy.Venue, "policy.venue") is { } unknownVenue)
                    {
                        throw Fail(unknownVenue);
                    }
                }

                lookups.Add((i, new PriceKey(policy.Venue, new AssetPair(s.Asset, policy.QuoteCurrency), date)));
            }

            sales[i] = new CryptoSale(date, s.Asset, amount, proceeds, cost, quote);
        }

        var pricings = new PricedClose?[sales.Length];
        if (lookups.Count > 0)
        {
            var prices = new Lookup<PricedClose>[lookups.Count];
            await pricer.PriceManyAsync(lookups.Select(l => l.Key).ToArray(), policy!, prices, cancellationToken).ConfigureAwait(false);
            for (int j = 0; j < lookups.Count; j++)
            {
                int i = lookups[j].Index;
                if (prices[j].Value is not { } priced)
                {
                    var e = prices[j].Error!;
                    throw Fail(e with { Field = $"sales[{i}].quote_rub", Message = $"sales[{i}]: the quote could not be looked up: {e.Message}" });
                }

                pricings[i] = priced;
                sales[i] = sales[i] with { QuoteRub = priced.PriceRub };
            }
        }

        RegionalRateOverride? regional = null;
        if (r.RegionalOverride is { } o)
        {
            decimal rate = 0m;
            var rateError = Inputs.Decimal(o.Rate, "regional_rate_override.rate", out rate);
            if (rateError is not null)
            {
                throw Fail(rateError);
            }

            if (string.IsNullOrWhiteSpace(o.LegalBasis))
            {
                throw Fail(CalcError.Invalid(Reasons.MissingField, "regional_rate_override.legal_basis",
                    "a reduced regional rate needs its legal basis (the regional law and the Tax Code ch. 25 case)"));
            }

            regional = new RegionalRateOverride(rate, o.LegalBasis);
        }

        var input = new ProfitTaxInput(r.TaxYear, period, income, expenses, sales, regional);
        return new ProfitTaxOutcome(RubAmounts.ForOutput(Unwrap(() => ProfitTaxCalculator.Compute(input, rules))), pricings);
    }

    public IReadOnlyList<Deadline> GetDeadlines(TaxpayerKind? kind, int year)
    {
        var k = kind ?? throw Fail(CalcError.Invalid(Reasons.InvalidEnum, "taxpayer_kind", "taxpayer_kind is required"));
        return Unwrap(DeadlineCalculator.ForYear(k, year, rules.Calendar));
    }

    public IReadOnlyList<Finding> CheckCompliance(ComplianceRequest r)
    {
        var kind = r.Kind ?? throw Fail(CalcError.Invalid(Reasons.InvalidEnum, "taxpayer_kind", "taxpayer_kind is required"));
        var regime = r.Regime ?? throw Fail(CalcError.Invalid(Reasons.InvalidEnum, "tax_regime", "tax_regime is required"));
        DateOnly date = default;
        if (Inputs.Date(r.Date, "date", out date) is { } dateError)
        {
            throw Fail(dateError);
        }

        if (r.MonthlyKwh.Count > 120)
        {
            throw Fail(CalcError.Invalid(Reasons.TooManyItems, "monthly_kwh", "at most 120 months per check"));
        }

        var kwh = new decimal[r.MonthlyKwh.Count];
        for (int i = 0; i < kwh.Length; i++)
        {
            kwh[i] = Amount(r.MonthlyKwh[i], $"monthly_kwh[{i}]", required: true);
        }

        string? region = string.IsNullOrEmpty(r.Region) ? null : r.Region;
        return Unwrap(() => ComplianceChecker.Check(new ComplianceInput(kind, regime, kwh, region, date), rules));
    }

    private static void CheckYear(int year, string field)
    {
        if (year is < 2000 or > 2100)
        {
            // the same token the rule set uses for a year it does not cover, so clients branch on one reason
            throw Fail(CalcError.Invalid(Reasons.UnsupportedTaxYear, field, $"{field} {year} is not a plausible tax year"));
        }
    }

    /// <summary>A non-negative RUB (or kWh) amount; "" is 0 unless <paramref name="required"/>.</summary>
    private static decimal Amount(string text, string field, bool required = false)
    {
        decimal value = 0m;
        var error = (required ? Inputs.Decimal(text, field, out value) : Inputs.OptionalDecimal(text, field, 0m, out value))
            ?? Inputs.NonNegative(value, field);
        return error is null ? value : throw Fail(error);
    }

    private static T Unwrap<T>(Calc.Domain.Errors.CalcResult<T> result) =>
        result.TryGetValue(out var value, out var error) ? value : throw Fail(error!);

    /// <summary>
    /// Runs a computation over client amounts: each amount fits a decimal, but sums and products of amounts
    /// near decimal's range can still overflow; that is the client's input, not a server fault.
    /// </summary>
    private static T Unwrap<T>(Func<Calc.Domain.Errors.CalcResult<T>> compute)
    {
        try
        {
            return Unwrap(compute());
        }
        catch (OverflowException)
        {
            throw Fail(CalcError.Invalid(Reasons.InvalidAmount, "",
                "the amounts are too large to compute with (the result exceeds 79228162514264337593543950335)"));
        }
    }

    private static CalcException Fail(CalcError error) => new(error);
}
