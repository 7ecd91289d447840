using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Rules;
using static Calc.Domain.Tax.TaxText;

namespace Calc.Domain.Tax.Ndfl;

/// <summary>
/// NDFL from 2025 (176-FZ, 418-FZ): mining income is in-kind income in the residents' main base, taxed on the
/// five-bracket scale of art. 224 p.1 applied to the whole main base; sales of digital currency go to the
/// separate 13/15 % base of art. 224 p.1.1; non-residents pay 30 % (art. 224 p.3) without deductions.
/// </summary>
public sealed class ProgressiveNdflRule : INdflRule
{
    public CalcResult<NdflResult> Compute(NdflInput input, RuleSet rules, TaxRuleVersion version)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(version);
        var options = input.Options ?? NdflOptions.Default;
        var yearStart = new DateOnly(input.TaxYear, 1, 1);
        var lines = new List<string>(16)
        {
            $"rule version {version.Name} from {version.From:yyyy-MM-dd}: {version.LegalBasis}",
            $"policies: ExpenseExcess={(options.ExpenseExcess == ExpenseExcessPolicy.CapAtMiningIncome ? "CAP_AT_MINING_INCOME" : "REDUCE_OTHER_MAIN_BASE")}, SaleFloorForIndividuals={(options.SaleFloorForIndividuals ? "ON" : "OFF")}",
        };

        var gains = SaleGains(input, options, rules, lines);
        if (!gains.IsSuccess)
        {
            return gains.Error!;
        }

        return input.Residency == Residency.Resident
            ? Resident(input, options, rules, version, yearStart, gains.Value, lines)
            : NonResident(input, rules, version, yearStart, gains.Value, lines);
    }

    private static CalcResult<NdflResult> Resident(NdflInput input, NdflOptions options, RuleSet rules,
        TaxRuleVersion version, DateOnly yearStart, decimal gains, List<string> lines)
    {
        var mainSegment = rules.NdflMainScale.SegmentAt(yearStart);
        var investSegment = rules.NdflInvestmentScale.SegmentAt(yearStart);
        if (!mainSegment.IsSuccess || !investSegment.IsSuccess)
        {
            return (mainSegment.Error ?? investSegment.Error)!;
        }

        decimal mining = input.MiningIncomeRub, expenses = input.MiningExpensesRub;
        decimal deducted = Math.Min(expenses, mining);
        decimal miningNet = mining - deducted;
        decimal otherBase = input.OtherMainBaseRub;
        lines.Add($"mining income {Rub(mining)} - documented expenses {Rub(deducted)} = net mining income {Rub(miningNet)} (resident: expenses deductible, tax-rules R3.4)");
        if (expenses > mining)
        {
            decimal excess = expenses - mining;
            if (options.ExpenseExcess == ExpenseExcessPolicy.ReduceOtherMainBase)
            {
                decimal used = Math.Min(excess, otherBase);
                otherBase -= used;
                lines.Add($"policy ExpenseExcess=REDUCE_OTHER_MAIN_BASE: excess expenses {Rub(excess)} reduce other main-base income by {Rub(used)}");
            }
            else
            {
                lines.Add($"policy ExpenseExcess=CAP_AT_MINING_INCOME (default): excess expenses {Rub(excess)} are not deducted from other income");
            }
        }

        decimal mainBase = otherBase + miningNet;
        lines.Add($"main base = other main-base income {Rub(otherBase)} + net mining income {Rub(miningNet)} = {Rub(mainBase)}");
        var scale = mainSegment.Value.Scale!;
        lines.Add($"scale {rules.NdflMainScale.Name} in force from {mainSegment.Value.From:yyyy-MM-dd}: {mainSegment.Value.Reference.Title}");
        var brackets = scale.Breakdown(mainBase);
        foreach (var b in brackets)
        {
            lines.Add($"  {Percent(b.Rate)} x {Rub(b.Base)} (bracket {Rub(b.From)} - {(b.To is { } to ? Rub(to) : "...")}) = {Rub(b.Tax)}");
        }

        decimal exact = scale.TaxOn(mainBase);
        decimal mainTax = Rounding.TaxRoubles.Apply(exact);
        lines.Add($"main-base tax {Rub(exact)} -> {Rub(mainTax)} ({Rounding.TaxRoubles.LegalBasis})");
        decimal due = Rounding.TaxRoubles.Apply(exact - input.WithheldRub);
        lines.Add($"tax due on the main base = {Rub(exact)} - withheld by tax agents {Rub(input.WithheldRub)} = {Rub(due)}"
            + (due < 0m ? " (withheld exceeds the tax: nothing payable, the excess is refundable)" : string.Empty));

        decimal investResult = input.InvestmentBaseRub + gains;
        decimal investBase = Math.Max(0m, investResult);
        var investScale = investSegment.Value.Scale!;
        var investBrackets = investScale.Breakdown(investBase);
        decimal investTax = Rounding.TaxRoubles.Apply(investScale.TaxOn(investBase));
        lines.Add($"investment base (art. 224 p.1.1) = {Rub(input.InvestmentBaseRub)} + sale gains {Rub(gains)} = {Rub(investResult)}"
            + (investResult < 0m ? LossNote(investResult) : $"; tax {Rub(investTax)} ({investSegment.Value.Reference.Title})"));
        decimal total = due + investTax;
        lines.Add($"total payable = {Rub(due)} + {Rub(investTax)} = {Rub(total)}");
        return new NdflResult(input.TaxYear, input.Residency, miningNet, mainBase, exact, mainTax, brackets, due,
            investBase, investTax, investBrackets, total, lines, version.Name, rules.Version);
    }

    private static CalcResult<NdflResult> NonResident(NdflInput input, RuleSet rules, TaxRuleVersion version,
        DateOnly yearStart, decimal gains, List<string> lines)
    {
        var rateEntry = rules.NdflNonResidentRate.EntryAt(yearStart);
        if (!rateEntry.IsSuccess)
        {
            return rateEntry.Error!;
        }

        decimal rate = rateEntry.Value.Value!.Value;
        decimal mainBase = input.MiningIncomeRub + input.OtherMainBaseRub;
        lines.Add($"non-resident: {Percent(rate)} without the progressive scale and without expense deductions ({rateEntry.Value.Reference.Title})");
        if (input.MiningExpensesRub > 0m)
        {
            lines.Add($"mining expenses {Rub(input.MiningExpensesRub)} ignored: the deduction is for residents only");
        }

        lines.Add($"base = mining income {Rub(input.MiningIncomeRub)} + other income {Rub(input.OtherMainBaseRub)} = {Rub(mainBase)}");
        decimal exact = mainBase * rate;
        decimal mainTax = Rounding.TaxRoubles.Apply(exact);
        var brackets = new[] { new BracketTax(0m, null, rate, mainBase, exact) };
        lines.Add($"  {Percent(rate)} x {Rub(mainBase)} = {Rub(exact)} -> {Rub(mainTax)} ({Rounding.TaxRoubles.LegalBasis})");
        decimal due = Rounding.TaxRoubles.Apply(exact - input.WithheldRub);
        lines.Add($"tax due = {Rub(exact)} - withheld {Rub(input.WithheldRub)} = {Rub(due)}");
        decimal investResult = input.InvestmentBaseRub + gains;
        decimal investBase = Math.Max(0m, investResult);
        decimal investExact = investBase * rate;
        decimal investTax = Rounding.TaxRoubles.Apply(investExact);
        var investBrackets = new[] { new BracketTax(0m, null, rate, investBase, investExact) };
        lines.Add(investResult < 0m
            ? $"investment-type base = {Rub(input.InvestmentBaseRub)} + sale gains {Rub(gains)} = {Rub(investResult)}{LossNote(investResult)}"
            : $"investment-type base {Rub(investBase)} x {Percent(rate)} = {Rub(investTax)}");
        decimal total = due + investTax;
        lines.Add($"total payable = {Rub(due)} + {Rub(investTax)} = {Rub(total)}");
        return new NdflResult(input.TaxYear, input.Residency, input.MiningIncomeRub, mainBase, exact, mainTax, brackets,
            due, investBase, investTax, investBrackets, total, lines, version.Name, rules.Version);
    }

    /// <summary>The explanation of a negative investment base: tax 0, and where the loss does not go.</summary>
    private static string LossNote(decimal result) =>
        $": a net loss of {Rub(-result)}, so the base is 0 and its tax 0 (the loss does not reduce the main base, a separate base; "
        + "carrying it forward to later years is not computed here, tax-rules Q6)";

    /// <summary>Σ (revenue − cost basis − selling costs) of the sales; cost basis of a mined coin = its recognised income.</summary>
    private static CalcResult<decimal> SaleGains(NdflInput input, NdflOptions options, RuleSet rules, List<string> lines)
    {
        if (input.Sales is not { Count: > 0 } sales)
        {
            return 0m;
        }

        decimal total = 0m;
        for (int i = 0; i < sales.Count; i++)
        {
            var s = sales[i];
            string field = $"sales[{i}]";
            var error = TaxText.NonNegative(s.ProceedsRub, field + ".proceeds_rub") ?? TaxText.NonNegative(s.SellingCostsRub, field + ".selling_costs_rub");
            if (error is not null)
            {
                return error;
            }

            if (s.Amount <= 0m)
            {
                return CalcError.Invalid(Reasons.InvalidAmount, field + ".amount", "the amount sold must be positive");
            }

            if (s.CostRub is not { } cost || cost < 0m)
            {
                return CalcError.Invalid(Reasons.MissingField, field + ".cost_rub",
                    "an individual's sale needs its cost basis (for a mined coin: the value taxed as mining income)");
            }

            if (s.SaleDate.Year != input.TaxYear)
            {
                return CalcError.Invalid(Reasons.SaleOutsidePeriod, field + ".sale_date", $"sale on {s.SaleDate:yyyy-MM-dd} is outside tax year {input.TaxYear}");
            }

            decimal revenue = s.ProceedsRub;
            if (options.SaleFloorForIndividuals)
            {
                var floor = SaleFloor.Revenue(s, rules, field);
                if (!floor.IsSuccess)
                {
                    return floor.Error!;
                }

                revenue = floor.Value.TaxableRevenue;
            }

            decimal gain = revenue - cost - s.SellingCostsRub;
            total += gain;
            lines.Add($"sale {s.SaleDate:yyyy-MM-dd} {s.Amount} {s.Asset}: revenue {Rub(revenue)} - cost basis {Rub(cost)} - selling costs {Rub(s.SellingCostsRub)} = {Rub(gain)}");
        }

        lines.Add(options.SaleFloorForIndividuals
            ? "policy SaleFloorForIndividuals=ON: revenue not below quote - 20 % (unconfirmed for individuals, tax-rules Q3)"
            : "policy SaleFloorForIndividuals=OFF (default): actual proceeds (the quote - 20 % floor is confirmed for organisations only, tax-rules Q3)");
        lines.Add("cost basis of mined coins = value taxed as mining income (tax-rules R3.6, Q4: assumption for individuals)");
        return total;
    }
}
