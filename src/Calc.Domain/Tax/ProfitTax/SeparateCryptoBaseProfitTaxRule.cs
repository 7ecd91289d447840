using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Rules;
using static Calc.Domain.Tax.TaxText;

namespace Calc.Domain.Tax.ProfitTax;

/// <summary>
/// Profit tax from 2025 (418-FZ, art. 282.3): a separate digital-currency base. Income = mining income
/// (non-operating, art. 250 p.32) + sale revenue not below quote − 20 %; expenses = mining costs (indirect,
/// current period, art. 282.3 p.5) + cost of sold currency (FIFO / unit) + selling costs. Rate 25 % split
/// federal/regional by year (art. 284 p.1), a regional reduction only by an explicit override. The two parts go
/// to different budgets and are each computed in whole roubles as the return shows them (Sheet 02 with taxpayer
/// code "13": line 190 = base x federal rate, line 200 = base x regional rate, line 180 = 190 + 200; tax-rules
/// R4.10, R4.12; art. 52 p.6 rounding), so the total is the sum of the rounded parts, not the rounded 25 %.
/// </summary>
public sealed class SeparateCryptoBaseProfitTaxRule : IProfitTaxRule
{
    public CalcResult<ProfitTaxResult> Compute(ProfitTaxInput input, RuleSet rules, TaxRuleVersion version)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(version);
        var options = input.Options ?? ProfitTaxOptions.Default;
        var start = new DateOnly(input.TaxYear, 1, 1);
        var end = ProfitTaxCalculator.PeriodEnd(input.TaxYear, input.Period);
        var lines = new List<string>(16)
        {
            $"rule version {version.Name} from {version.From:yyyy-MM-dd}: {version.LegalBasis}",
            $"period {input.Period} {input.TaxYear}: {start:yyyy-MM-dd} - {end:yyyy-MM-dd} inclusive, cumulative from 1 January",
            $"policies: WriteOff={(options.WriteOff == WriteOffMethod.Fifo ? "FIFO" : "UNIT_COST")}, LossCarryForward={(options.LossCarryForward == LossCarryForwardPolicy.On ? "ON" : "OFF")}",
        };

        var federal = rules.ProfitFederalRate.EntryAt(start);
        var regional = rules.ProfitRegionalRate.EntryAt(start);
        if (!federal.IsSuccess || !regional.IsSuccess)
        {
            return (federal.Error ?? regional.Error)!;
        }

        decimal fedRate = federal.Value.Value!.Value, regRate = regional.Value.Value!.Value;
        string regBasis = regional.Value.Reference.Title;
        if (input.RegionalRateOverride is { } ov)
        {
            if (string.IsNullOrWhiteSpace(ov.LegalBasis))
            {
                return CalcError.Invalid(Reasons.MissingLegalBasis, "regional_rate_override.legal_basis",
                    "a reduced regional rate needs its legal basis (a case listed in Tax Code ch. 25)");
            }

            if (ov.Rate < 0m || ov.Rate > regRate)
            {
                return CalcError.Invalid(Reasons.InvalidRate, "regional_rate_override.rate",
                    $"the regional rate may only be reduced: 0 <= rate <= {regRate}");
            }

            lines.Add($"regional rate override {Percent(ov.Rate)} instead of {Percent(regRate)}: {ov.LegalBasis}");
            regRate = ov.Rate;
            regBasis = ov.LegalBasis;
        }

        var sales = Sales(input, options, rules, end, lines);
        if (!sales.IsSuccess)
        {
            return sales.Error!;
        }

        decimal saleRevenue = 0m, saleCost = 0m;
        foreach (var s in sales.Value)
        {
            saleRevenue += s.TaxableRevenueRub;
            saleCost += s.CostRub + s.Sale.SellingCostsRub;
        }

        decimal income = input.MiningIncomeRub + saleRevenue;
        decimal expenses = input.MiningExpensesRub + saleCost;
        decimal result = income - expenses;
        lines.Add($"income = mining income {Rub(input.MiningIncomeRub)} + sale revenue {Rub(saleRevenue)} = {Rub(income)}");
        lines.Add($"expenses = mining costs (indirect, art. 282.3 p.5) {Rub(input.MiningExpensesRub)} + cost of sold currency and selling costs {Rub(saleCost)} = {Rub(expenses)}");
        lines.Add($"result = {Rub(income)} - {Rub(expenses)} = {Rub(result)}" + (result < 0m ? " (loss kept inside the digital-currency base, tax-rules R4.11)" : string.Empty));

        decimal lossUsed = 0m;
        if (options.LossCarryForward == LossCarryForwardPolicy.On && input.LossesCarriedForwardRub > 0m && result > 0m)
        {
            var cap = rules.LossCarryForwardCap.EntryAt(start);
            if (!cap.IsSuccess)
            {
                return cap.Error!;
            }

            lossUsed = Math.Min(input.LossesCarriedForwardRub, result * cap.Value.Value!.Value);
            lines.Add($"policy LossCarryForward=ON: losses {Rub(input.LossesCarriedForwardRub)} used {Rub(lossUsed)} ({cap.Value.Reference.Title})");
        }
        else
        {
            lines.Add(options.LossCarryForward == LossCarryForwardPolicy.On
                ? "policy LossCarryForward=ON: nothing to carry forward into this period"
                : "policy LossCarryForward=OFF (default, tax-rules Q6)");
        }

        decimal taxBase = Math.Max(0m, result - lossUsed);
        // Each budget's part is its own computation in whole roubles (return Sheet 02: line 190 = base x federal
        // rate, line 200 = base x regional rate, line 180 = 190 + 200); rounding the total first can differ by a rouble.
        decimal fedExact = taxBase * fedRate, regExact = taxBase * regRate;
        decimal fedTax = Rounding.TaxRoubles.Apply(fedExact);
        decimal regTax = Rounding.TaxRoubles.Apply(regExact);
        decimal tax = fedTax + regTax;
        lines.Add($"federal part (Sheet 02 line 190) = base {Rub(taxBase)} x {Percent(fedRate)} = {Rub(fedExact)} -> {Rub(fedTax)} ({federal.Value.Reference.Title})");
        lines.Add($"regional part (Sheet 02 line 200) = base {Rub(taxBase)} x {Percent(regRate)} = {Rub(regExact)} -> {Rub(regTax)} ({regBasis})");
        lines.Add($"tax (Sheet 02 line 180) = {Rub(fedTax)} + {Rub(regTax)} = {Rub(tax)}; each part rounded to whole roubles ({Rounding.TaxRoubles.LegalBasis}; tax-rules R4.10, R4.12)");
        return new ProfitTaxResult(input.TaxYear, input.Period, start, end, income, expenses, result, lossUsed, taxBase,
            tax, fedTax, regTax, fedRate, regRate, regBasis, sales.Value, lines, version.Name, rules.Version);
    }

    private static CalcResult<IReadOnlyList<SaleRevenue>> Sales(ProfitTaxInput input, ProfitTaxOptions options, RuleSet rules,
        DateOnly end, List<string> lines)
    {
        if (input.Sales is not { Count: > 0 } sales)
        {
            return Array.Empty<SaleRevenue>();
        }

        if (input.Lots is { } heldLots)
        {
            for (int k = 0; k < heldLots.Count; k++)
            {
                if (heldLots[k].Amount <= 0m || heldLots[k].CostRub < 0m)
                {
                    return CalcError.Invalid(Reasons.InvalidAmount, $"lots[{k}]", "a lot needs a positive amount and a non-negative cost");
                }
            }
        }

        var writeOff = input.Lots is { Count: > 0 } lots ? new LotWriteOff(lots) : null;
        var order = Enumerable.Range(0, sales.Count).OrderBy(i => sales[i].SaleDate).ThenBy(i => i).ToArray();
        var results = new SaleRevenue[sales.Count];
        foreach (int i in order)
        {
            var s = sales[i];
            string field = $"sales[{i}]";
            var error = NonNegative(s.ProceedsRub, field + ".proceeds_rub") ?? NonNegative(s.SellingCostsRub, field + ".selling_costs_rub");
            if (error is not null)
            {
                return error;
            }

            if (s.SaleDate.Year != input.TaxYear || s.SaleDate > end)
            {
                return CalcError.Invalid(Reasons.SaleOutsidePeriod, field + ".sale_date",
                    $"sale on {s.SaleDate:yyyy-MM-dd} is outside {input.Period} {input.TaxYear}");
            }

            var floor = SaleFloor.Revenue(s, rules, field);
            if (!floor.IsSuccess)
            {
                return floor.Error!;
            }

            decimal cost;
            if (s.CostRub is { } given)
            {
                if (given < 0m)
                {
                    return NonNegative(given, field + ".cost_rub")!;
                }

                cost = given;
            }
            else if (writeOff is null)
            {
                return CalcError.Invalid(Reasons.MissingField, field + ".cost_rub", "give the cost of the sold currency or the lots to write it off from");
            }
            else
            {
                string? lotId = options.WriteOff == WriteOffMethod.UnitCost ? s.LotId ?? string.Empty : null;
                if (lotId is { Length: 0 })
                {
                    return CalcError.Invalid(Reasons.MissingField, field + ".lot_id", "unit-cost write-off needs the lot of every sale");
                }

                var taken = writeOff.Take(s, lotId, field);
                if (!taken.IsSuccess)
                {
                    return taken.Error!;
                }

                cost = taken.Value;
            }

            var f = floor.Value;
            results[i] = new SaleRevenue(s, f.Floor, f.TaxableRevenue, f.Applied, cost);
            lines.Add($"sale {s.SaleDate:yyyy-MM-dd} {s.Amount} {s.Asset}: proceeds {Rub(s.ProceedsRub)}, floor (quote - 20 %) {Rub(f.Floor)} -> revenue {Rub(f.TaxableRevenue)}{(f.Applied ? " (floor applied)" : string.Empty)}; cost {Rub(cost)}{(s.CostRub is null ? $" ({options.WriteOff} write-off)" : string.Empty)}");
        }

        return results;
    }
}
