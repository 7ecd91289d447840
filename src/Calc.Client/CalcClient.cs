using Calc.V1;

namespace Calc.Client;

/// <summary>
/// Typed calls to every calc.v1 method over one <see cref="GrpcChannel"/>. Errors surface as
/// <see cref="CalcRpcException"/> with the gRPC status, message and google.rpc details.
/// </summary>
public sealed class CalcClient(GrpcChannel channel)
{
    public GrpcChannel Channel => channel;

    /// <summary>calc.v1.QuoteService/GetQuote.</summary>
    public Task<Quote> GetQuoteAsync(GetQuoteRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/GetQuote", request, Quote.Parser, options, cancellationToken);

    /// <summary>calc.v1.QuoteService/BatchGetQuotes.</summary>
    public Task<BatchGetQuotesResponse> BatchGetQuotesAsync(BatchGetQuotesRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/BatchGetQuotes", request, BatchGetQuotesResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.QuoteService/GetCbrRate.</summary>
    public Task<CbrRate> GetCbrRateAsync(GetCbrRateRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/GetCbrRate", request, CbrRate.Parser, options, cancellationToken);

    /// <summary>calc.v1.QuoteService/ListCbrRates.</summary>
    public Task<ListCbrRatesResponse> ListCbrRatesAsync(ListCbrRatesRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/ListCbrRates", request, ListCbrRatesResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.QuoteService/ListVenues.</summary>
    public Task<ListVenuesResponse> ListVenuesAsync(ListVenuesRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/ListVenues", request, ListVenuesResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.QuoteService/ImportClosingPrices.</summary>
    public Task<ImportClosingPricesResponse> ImportClosingPricesAsync(ImportClosingPricesRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/ImportClosingPrices", request, ImportClosingPricesResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.QuoteService/ImportCbrRates.</summary>
    public Task<ImportCbrRatesResponse> ImportCbrRatesAsync(ImportCbrRatesRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.QuoteService/ImportCbrRates", request, ImportCbrRatesResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.IncomeService/RecognizeIncome.</summary>
    public Task<RecognizeIncomeResponse> RecognizeIncomeAsync(RecognizeIncomeRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.IncomeService/RecognizeIncome", request, RecognizeIncomeResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.TaxService/ComputeNdfl.</summary>
    public Task<ComputeNdflResponse> ComputeNdflAsync(ComputeNdflRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.TaxService/ComputeNdfl", request, ComputeNdflResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.TaxService/ComputeProfitTax.</summary>
    public Task<ComputeProfitTaxResponse> ComputeProfitTaxAsync(ComputeProfitTaxRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.TaxService/ComputeProfitTax", request, ComputeProfitTaxResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.TaxService/GetDeadlines.</summary>
    public Task<GetDeadlinesResponse> GetDeadlinesAsync(GetDeadlinesRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.TaxService/GetDeadlines", request, GetDeadlinesResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.TaxService/CheckCompliance.</summary>
    public Task<CheckComplianceResponse> CheckComplianceAsync(CheckComplianceRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.TaxService/CheckCompliance", request, CheckComplianceResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.CollateralService/ValueCollateral.</summary>
    public Task<ValueCollateralResponse> ValueCollateralAsync(ValueCollateralRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.CollateralService/ValueCollateral", request, ValueCollateralResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.CollateralService/BatchValueCollateral.</summary>
    public Task<BatchValueCollateralResponse> BatchValueCollateralAsync(BatchValueCollateralRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.UnaryAsync("/calc.v1.CollateralService/BatchValueCollateral", request, BatchValueCollateralResponse.Parser, options, cancellationToken);

    /// <summary>calc.v1.IncomeService/StreamRecognizeIncome: send the policy first, then receipt chunks.</summary>
    public IAsyncEnumerable<RecognizeIncomeStreamResponse> StreamRecognizeIncomeAsync(IAsyncEnumerable<RecognizeIncomeStreamRequest> requests,
        CallOptions? options = null, CancellationToken cancellationToken = default) =>
        channel.DuplexStreamingAsync("/calc.v1.IncomeService/StreamRecognizeIncome", requests, RecognizeIncomeStreamResponse.Parser, options, cancellationToken);
}
