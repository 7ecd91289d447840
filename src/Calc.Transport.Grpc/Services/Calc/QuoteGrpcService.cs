using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Application.Quotes;
using Calc.Application.Valuation;
using Calc.Domain.Errors;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>calc.v1.QuoteService: maps proto ↔ application and delegates. No logic here.</summary>
public sealed class QuoteGrpcService(QuoteQueries queries, ImportCommands imports) : V1.QuoteService.QuoteServiceBase
{
    public override async Task<V1.Quote> GetQuote(V1.GetQuoteRequest request, ServerCallContext context)
    {
        var lookup = await queries.GetQuoteAsync(Map(request), context.CancellationToken);
        return lookup.Value is { } priced ? ProtoMap.Quote(priced) : throw new CalcException(lookup.Error!);
    }

    public override async Task<V1.BatchGetQuotesResponse> BatchGetQuotes(V1.BatchGetQuotesRequest request, ServerCallContext context)
    {
        if (Application.Validation.Inputs.BatchSize(request.Requests.Count, queries.MaxBatchItems, "requests") is { } error)
        {
            throw new CalcException(error);
        }

        var results = new Lookup<PricedClose>[request.Requests.Count];
        await queries.GetQuotesAsync(request.Requests.Select(Map).ToArray(), results, context.CancellationToken);
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < results.Length; i++)
        {
            if (Application.Validation.Inputs.UniqueId(request.Requests[i].Id, seenIds, "id") is { } duplicate)
            {
                results[i] = Lookup<PricedClose>.Failed(duplicate);
            }
        }

        var response = new V1.BatchGetQuotesResponse();
        for (int i = 0; i < results.Length; i++)
        {
            var result = new V1.QuoteResult { Id = request.Requests[i].Id };
            if (results[i].Value is { } priced)
            {
                result.Quote = ProtoMap.Quote(priced);
            }
            else
            {
                result.Error = ProtoMap.ItemError(results[i].Error!);
            }

            response.Results.Add(result);
        }

        return response;
    }

    public override async Task<V1.CbrRate> GetCbrRate(V1.GetCbrRateRequest request, ServerCallContext context)
    {
        var lookup = await queries.GetCbrRateAsync(request.Currency, request.Date, context.CancellationToken);
        return lookup.Value is { } quote ? ProtoMap.CbrRate(request.Currency, quote) : throw new CalcException(lookup.Error!);
    }

    public override async Task<V1.ListCbrRatesResponse> ListCbrRates(V1.ListCbrRatesRequest request, ServerCallContext context)
    {
        var listing = await queries.ListCbrRatesAsync(request.Currencies, request.From, request.To, context.CancellationToken);
        var response = new V1.ListCbrRatesResponse();
        foreach (var (currency, quote) in listing.Rates)
        {
            response.Rates.Add(ProtoMap.CbrRate(currency, quote));
        }

        foreach (var missing in listing.Missing)
        {
            response.Missing.Add(new V1.MissingCbrRate { Currency = missing.Currency, Date = ProtoMap.Date(missing.Date), Error = ProtoMap.ItemError(missing.Error) });
        }

        return response;
    }

    public override Task<V1.ListVenuesResponse> ListVenues(V1.ListVenuesRequest request, ServerCallContext context)
    {
        var fns = Domain.Quotes.FnsVenueList.Embedded;
        var response = new V1.ListVenuesResponse { FnsListDate = ProtoMap.Date(fns.ListDate), FnsListSource = fns.Source };
        response.FnsListedVenues.AddRange(fns.Venues);
        foreach (var venue in queries.ListVenues())
        {
            var v = new V1.Venue { Venue_ = venue.Venue, DayConvention = venue.DayConvention, FnsListed = fns.IsListed(venue.Venue) };
            foreach (var pair in venue.Pairs)
            {
                v.Pairs.Add(new V1.VenuePair
                {
                    Base = pair.Pair.Base,
                    Quote = pair.Pair.Quote,
                    FirstDate = pair.First is { } first ? ProtoMap.Date(first) : "",
                    LastDate = pair.Last is { } last ? ProtoMap.Date(last) : "",
                });
            }

            response.Venues.Add(v);
        }

        return Task.FromResult(response);
    }

    public override Task<V1.ImportClosingPricesResponse> ImportClosingPrices(V1.ImportClosingPricesRequest request, ServerCallContext context)
    {
        var report = imports.ImportCloses(request.Prices.Select(p => new CloseRow(p.Venue, p.Base, p.Quote, p.Date, p.Close)).ToArray(), request.Overwrite);
        var response = new V1.ImportClosingPricesResponse { Added = report.Added, Unchanged = report.Unchanged, Replaced = report.Replaced };
        response.Rejected.AddRange(report.Rejected.Select(Rejection));
        return Task.FromResult(response);
    }

    public override Task<V1.ImportCbrRatesResponse> ImportCbrRates(V1.ImportCbrRatesRequest request, ServerCallContext context)
    {
        var report = imports.ImportRates(request.Rates.Select(r => new RateRow(r.Currency, r.EffectiveDate, r.Nominal, r.Value)).ToArray(), request.Overwrite);
        var response = new V1.ImportCbrRatesResponse { Added = report.Added, Unchanged = report.Unchanged, Replaced = report.Replaced };
        response.Rejected.AddRange(report.Rejected.Select(Rejection));
        return Task.FromResult(response);
    }

    private static QuoteRequest Map(V1.GetQuoteRequest r) => new(r.Asset, r.QuoteCurrency, r.Venue, r.Date, r.AllowProvisional);

    private static V1.ImportRejection Rejection(ImportRowError e) => new()
    {
        Index = int.Parse(e.Location, System.Globalization.CultureInfo.InvariantCulture),
        Error = ProtoMap.ItemError(e.Error),
    };
}
