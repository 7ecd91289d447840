using Calc.Application.Collateral;
using Calc.Domain.Collateral;
using Calc.Domain.Errors;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>calc.v1.CollateralService: maps proto ↔ application and delegates. No logic here.</summary>
public sealed class CollateralGrpcService(CollateralValuations valuations) : V1.CollateralService.CollateralServiceBase
{
    public override async Task<V1.ValueCollateralResponse> ValueCollateral(V1.ValueCollateralRequest request, ServerCallContext context) =>
        Map(await valuations.ValueAsync(Request(request), context.CancellationToken));

    public override async Task<V1.BatchValueCollateralResponse> BatchValueCollateral(V1.BatchValueCollateralRequest request, ServerCallContext context)
    {
        var results = new (CollateralOutcome?, CalcError?)[request.Items.Count];
        await valuations.ValueManyAsync(request.Items.Select(Request).ToArray(), results, context.CancellationToken);
        var response = new V1.BatchValueCollateralResponse();
        for (int i = 0; i < results.Length; i++)
        {
            var result = new V1.CollateralResult { Id = request.Items[i].Id };
            if (results[i].Item1 is { } outcome)
            {
                result.Valuation = Map(outcome);
            }
            else
            {
                result.Error = ProtoMap.ItemError(results[i].Item2!);
            }

            response.Results.Add(result);
        }

        return response;
    }

    private static CollateralRequest Request(V1.ValueCollateralRequest r) =>
        new(r.Id, r.Asset, r.Amount, r.AsOf, ProtoMap.Policy(r.Policy), r.Haircut, r.LoanRub, r.MarginCallLtv, r.LiquidationLtv);

    private static V1.ValueCollateralResponse Map(CollateralOutcome o)
    {
        var v = o.Valuation;
        var response = new V1.ValueCollateralResponse
        {
            MarketValueRub = ProtoMap.Dec(v.MarketValueRub),
            CollateralValueRub = ProtoMap.Dec(v.CollateralValueRub),
            MaxLoanRub = ProtoMap.Dec(v.MaxLoanRub),
            Ltv = ProtoMap.Dec(v.Ltv),
            Status = v.Status switch
            {
                CollateralStatus.Ok => V1.CollateralStatus.Ok,
                CollateralStatus.MarginCall => V1.CollateralStatus.MarginCall,
                _ => V1.CollateralStatus.Liquidation,
            },
            MarginCallPriceRub = ProtoMap.Dec(v.MarginCallPriceRub),
            LiquidationPriceRub = ProtoMap.Dec(v.LiquidationPriceRub),
            Provenance = ProtoMap.Provenance(o.Pricing),
            PriceRub = ProtoMap.Dec(o.Pricing.PriceRub),
            Haircut = ProtoMap.Dec(o.Haircut),
            MarginCallLtv = ProtoMap.Dec(o.MarginCallLtv),
            LiquidationLtv = ProtoMap.Dec(o.LiquidationLtv),
        };
        response.Explanation.AddRange(v.Explanation);
        return response;
    }
}
