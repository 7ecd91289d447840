using Calc.Application.Tax;
using Calc.Domain.Compliance;
using Calc.Domain.Deadlines;
using Calc.Domain.Errors;
using Calc.Domain.Rules;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>calc.v1.TaxService: maps proto ↔ application and delegates. No logic here.</summary>
public sealed class TaxGrpcService(TaxComputations tax) : V1.TaxService.TaxServiceBase
{
    public override Task<V1.ComputeNdflResponse> ComputeNdfl(V1.ComputeNdflRequest request, ServerCallContext context)
    {
        var result = tax.ComputeNdfl(new NdflRequest(request.TaxYear,
            request.Residency switch { V1.Residency.Resident => Residency.Resident, V1.Residency.NonResident => Residency.NonResident, _ => null },
            request.MiningIncomeRub, request.MiningExpensesRub, request.OtherMainBaseRub, request.WithheldRub, request.InvestmentBaseRub,
            request.ExpenseExcessPolicy switch
            {
                V1.ExpenseExcessPolicy.CapAtMiningIncome => ExpenseExcessPolicy.CapAtMiningIncome,
                V1.ExpenseExcessPolicy.ReduceOtherIncome => ExpenseExcessPolicy.ReduceOtherMainBase,
                V1.ExpenseExcessPolicy.Unspecified => null,
                _ => throw GrpcErrors.InvalidArgument(Reasons.InvalidEnum, "expense_excess_policy", $"expense_excess_policy {(int)request.ExpenseExcessPolicy} is not a known value"),
            }));
        var response = new V1.ComputeNdflResponse
        {
            MainBaseRub = ProtoMap.Dec(result.MainBaseRub),
            MainTaxRub = ProtoMap.Dec(result.MainTaxRub),
            TaxDueRub = ProtoMap.Dec(result.TaxDueRub),
            InvestmentTaxRub = ProtoMap.Dec(result.InvestmentTaxRub),
            TotalDueRub = ProtoMap.Dec(result.TotalDueRub),
            RulesVersion = result.RulesVersion,
            PastRulesReview = result.PastRulesReview,
            RulesReviewedOn = ProtoMap.Date(result.RulesReviewedOn),
        };
        response.Brackets.AddRange(result.Brackets.Select(Bracket));
        response.Explanation.AddRange(result.Explanation);
        return Task.FromResult(response);
    }

    public override async Task<V1.ComputeProfitTaxResponse> ComputeProfitTax(V1.ComputeProfitTaxRequest request, ServerCallContext context)
    {
        var outcome = await tax.ComputeProfitTaxAsync(new ProfitTaxRequest(request.TaxYear,
            request.Period switch
            {
                V1.ProfitTaxPeriod.Q1 => ReportingPeriod.Q1,
                V1.ProfitTaxPeriod.H1 => ReportingPeriod.H1,
                V1.ProfitTaxPeriod.M9 => ReportingPeriod.M9,
                V1.ProfitTaxPeriod.Year => ReportingPeriod.Year,
                _ => null,
            },
            request.MiningIncomeRub, request.MiningExpensesRub,
            request.Sales.Select(s => new SaleRequest(s.SaleDate, s.Asset, s.Amount, s.ProceedsRub, s.CostRub, s.QuoteRub)).ToArray(),
            request.RegionalRateOverride is { } o ? (o.Rate, o.LegalBasis) : null,
            ProtoMap.Policy(request.Policy)), context.CancellationToken);
        var r = outcome.Result;
        var response = new V1.ComputeProfitTaxResponse
        {
            IncomeRub = ProtoMap.Dec(r.IncomeRub),
            ExpensesRub = ProtoMap.Dec(r.ExpensesRub),
            BaseRub = ProtoMap.Dec(r.BaseRub),
            TaxRub = ProtoMap.Dec(r.TaxRub),
            FederalTaxRub = ProtoMap.Dec(r.FederalTaxRub),
            RegionalTaxRub = ProtoMap.Dec(r.RegionalTaxRub),
            FederalRate = ProtoMap.Dec(r.FederalRate),
            RegionalRate = ProtoMap.Dec(r.RegionalRate),
            RulesVersion = r.RulesVersion,
            PastRulesReview = r.PastRulesReview,
            RulesReviewedOn = ProtoMap.Date(r.RulesReviewedOn),
        };
        for (int i = 0; i < r.Sales.Count; i++)
        {
            var s = r.Sales[i];
            response.Sales.Add(new V1.SaleResult
            {
                Index = i,
                TaxableRevenueRub = ProtoMap.Dec(s.TaxableRevenueRub),
                FloorApplied = s.FloorApplied,
                QuoteRub = s.Sale.QuoteRub is { } q ? ProtoMap.Dec(q) : "",
                Provenance = outcome.SalePricings[i] is { } p ? ProtoMap.Provenance(p) : null,
                ResultRub = ProtoMap.Dec(s.TaxableRevenueRub - s.CostRub),
            });
        }

        response.Explanation.AddRange(r.Explanation);
        return response;
    }

    public override Task<V1.GetDeadlinesResponse> GetDeadlines(V1.GetDeadlinesRequest request, ServerCallContext context)
    {
        var response = new V1.GetDeadlinesResponse { RulesVersion = tax.RulesVersion };
        foreach (var d in tax.GetDeadlines(Kind(request.TaxpayerKind), request.Year))
        {
            response.Deadlines.Add(new V1.Deadline
            {
                Kind = d.Kind switch
                {
                    DeadlineKind.MonthlyMiningReport => V1.DeadlineKind.MonthlyMiningReport,
                    DeadlineKind.NdflDeclaration => V1.DeadlineKind.NdflDeclaration,
                    DeadlineKind.NdflPayment => V1.DeadlineKind.NdflPayment,
                    DeadlineKind.ProfitTaxDeclaration => V1.DeadlineKind.ProfitTaxDeclaration,
                    _ => V1.DeadlineKind.ProfitTaxPayment,
                },
                Period = d.Period,
                StatutoryDate = ProtoMap.Date(d.StatutoryDate),
                DueDate = d.DueDate is { } due ? ProtoMap.Date(due) : "",
                LegalBasis = d.LegalBasis,
                DueDateError = d.DueDateError is { } e ? ProtoMap.ItemError(e) : null,
            });
        }

        return Task.FromResult(response);
    }

    public override Task<V1.CheckComplianceResponse> CheckCompliance(V1.CheckComplianceRequest request, ServerCallContext context)
    {
        var findings = tax.CheckCompliance(new ComplianceRequest(Kind(request.TaxpayerKind),
            request.TaxRegime switch
            {
                V1.TaxRegime.Osn => TaxRegime.General,
                V1.TaxRegime.Usn => TaxRegime.Usn,
                V1.TaxRegime.Eshn => TaxRegime.Eshn,
                V1.TaxRegime.Ausn => TaxRegime.Ausn,
                V1.TaxRegime.Npd => TaxRegime.Npd,
                V1.TaxRegime.Psn => TaxRegime.Psn,
                _ => null,
            },
            request.MonthlyKwh, request.Region, request.Date));
        var response = new V1.CheckComplianceResponse { RulesVersion = tax.RulesVersion };
        foreach (var f in findings)
        {
            response.Findings.Add(new V1.Finding
            {
                Reason = f.Reason,
                Severity = f.Severity == FindingSeverity.Violation ? V1.FindingSeverity.Violation : V1.FindingSeverity.Warning,
                Message = f.Message,
                LegalBasis = f.LegalBasis,
                MonthIndex = MonthIndex(f.Field),
            });
        }

        return Task.FromResult(response);
    }

    private static TaxpayerKind? Kind(V1.TaxpayerKind kind) => kind switch
    {
        V1.TaxpayerKind.Individual => TaxpayerKind.Individual,
        V1.TaxpayerKind.IndividualEntrepreneur => TaxpayerKind.IndividualEntrepreneur,
        V1.TaxpayerKind.Organization => TaxpayerKind.Organization,
        _ => null,
    };

    /// <summary>"monthly_kwh[3]" → 3; anything else → -1.</summary>
    private static int MonthIndex(string field) =>
        field.StartsWith("monthly_kwh[", StringComparison.Ordinal) && int.TryParse(field.AsSpan(12, field.Length - 13), out int i) ? i : -1;

    private static V1.NdflBracket Bracket(BracketTax b) => new()
    {
        FromRub = ProtoMap.Dec(b.From),
        ToRub = b.To is { } to ? ProtoMap.Dec(to) : "",
        Rate = ProtoMap.Dec(b.Rate),
        BaseRub = ProtoMap.Dec(b.Base),
        TaxRub = ProtoMap.Dec(b.Tax),
    };
}
