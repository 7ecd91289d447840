using Calc.Application.Quotes;
using Calc.Domain.Errors;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>calc.v1.QuoteService: maps proto ↔ application and delegates. No logic here.</summary>
public sealed class QuoteGrpcService(QuoteQueries queries)
{
    public async Task<V1.CbrRate> GetCbrRate(V1.GetCbrRateRequest request, ServerCallContext context)
    {
        var lookup = await queries.GetCbrRateAsync(request.Currency, request.Date, context.CancellationToken);
        return lookup.Value is { } quote ? ProtoMap.CbrRate(request.Currency, quote) : throw new CalcException(lookup.Error!);
    }

    public async Task<V1.ListCbrRatesResponse> ListCbrRates(V1.ListCbrRatesRequest request, ServerCallContext context)
    {
        var listing = await queries.ListCbrRatesAsync(request.Currencies, request.From, request.To, context.CancellationToken);
        var response = new V1.ListCbrRatesResponse();
        foreach (var (currency, quote) in listing.Rates)
        {
            response.Rates.Add(ProtoMap.CbrRate(currency, quote));
        }

        foreach (var missing in listing.Missing)
        {
            response.Missing.Add(new V1.MissingCbrRate
            {
                Currency = missing.Currency,
                Date = Domain.Dates.IsoDate.ToText(missing.Date),
                Error = ProtoMap.ItemError(missing.Error),
            });
        }

        return response;
    }

    public Task<V1.Quote> GetQuote(V1.GetQuoteRequest request, ServerCallContext context) =>
        throw NotYet(context);

    public Task<V1.BatchGetQuotesResponse> BatchGetQuotes(V1.BatchGetQuotesRequest request, ServerCallContext context) =>
        throw NotYet(context);

    public Task<V1.ListVenuesResponse> ListVenues(V1.ListVenuesRequest request, ServerCallContext context) =>
        throw NotYet(context);

    public Task<V1.ImportClosingPricesResponse> ImportClosingPrices(V1.ImportClosingPricesRequest request, ServerCallContext context) =>
        throw NotYet(context);

    public Task<V1.ImportCbrRatesResponse> ImportCbrRates(V1.ImportCbrRatesRequest request, ServerCallContext context) =>
        throw NotYet(context);

    private static RpcException NotYet(ServerCallContext context) =>
        new(new Status(StatusCode.Unimplemented, $"{context.Method} is not implemented yet"));
}
