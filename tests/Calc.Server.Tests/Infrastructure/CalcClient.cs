using System.Runtime.CompilerServices;
using Calc.V1;
using Grpc.Net.Client;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>
/// The generated calc.v1 clients (Grpc.Net.Client) over one channel, with a method per rpc so the tests read
/// like calls; streaming adapts the duplex call to an async sequence (requests are sent while replies are read).
/// </summary>
internal sealed class CalcClient(Uri address, HttpMessageHandler? handler = null) : IDisposable
{
    public GrpcChannel Channel { get; } = GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = 64 * 1024 * 1024,
        HttpHandler = handler,
        DisposeHttpClient = true,
    });

    /// <summary>
    /// A client whose calls carry <c>grpc-timeout</c> of <paramref name="timeout"/> without a client-side
    /// deadline timer: the server's deadline alone ends the call. Grpc.Net.Client's own deadline resets the
    /// stream at the same instant the server's timer fires, and the reset usually arrives first (the server
    /// then sees a cancellation); to observe the server enforcing the deadline, only the server may hold it.
    /// </summary>
    public static CalcClient WithServerDeadline(Uri address, TimeSpan timeout) =>
        new(address, new ServerTimeoutHandler(timeout) { InnerHandler = new SocketsHttpHandler() });

    public QuoteService.QuoteServiceClient Quotes => new(Channel);

    public IncomeService.IncomeServiceClient Income => new(Channel);

    public TaxService.TaxServiceClient Tax => new(Channel);

    public CollateralService.CollateralServiceClient Collateral => new(Channel);

    /// <summary>Call options with an <c>x-api-key</c> header.</summary>
    public static CallOptions WithKey(string key) => new(new Metadata { { "x-api-key", key } });

    /// <summary>Call options with a deadline this far from now.</summary>
    public static CallOptions Within(TimeSpan timeout) => new(deadline: DateTime.UtcNow.Add(timeout));

    public Task<Quote> GetQuoteAsync(GetQuoteRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.GetQuoteAsync(r, Options(o, ct)).ResponseAsync;

    public Task<BatchGetQuotesResponse> BatchGetQuotesAsync(BatchGetQuotesRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.BatchGetQuotesAsync(r, Options(o, ct)).ResponseAsync;

    public Task<CbrRate> GetCbrRateAsync(GetCbrRateRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.GetCbrRateAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ListCbrRatesResponse> ListCbrRatesAsync(ListCbrRatesRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.ListCbrRatesAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ListVenuesResponse> ListVenuesAsync(ListVenuesRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.ListVenuesAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ImportClosingPricesResponse> ImportClosingPricesAsync(ImportClosingPricesRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.ImportClosingPricesAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ImportCbrRatesResponse> ImportCbrRatesAsync(ImportCbrRatesRequest r, CallOptions? o = null, CancellationToken ct = default) => Quotes.ImportCbrRatesAsync(r, Options(o, ct)).ResponseAsync;

    public Task<RecognizeIncomeResponse> RecognizeIncomeAsync(RecognizeIncomeRequest r, CallOptions? o = null, CancellationToken ct = default) => Income.RecognizeIncomeAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ComputeNdflResponse> ComputeNdflAsync(ComputeNdflRequest r, CallOptions? o = null, CancellationToken ct = default) => Tax.ComputeNdflAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ComputeProfitTaxResponse> ComputeProfitTaxAsync(ComputeProfitTaxRequest r, CallOptions? o = null, CancellationToken ct = default) => Tax.ComputeProfitTaxAsync(r, Options(o, ct)).ResponseAsync;

    public Task<GetDeadlinesResponse> GetDeadlinesAsync(GetDeadlinesRequest r, CallOptions? o = null, CancellationToken ct = default) => Tax.GetDeadlinesAsync(r, Options(o, ct)).ResponseAsync;

    public Task<CheckComplianceResponse> CheckComplianceAsync(CheckComplianceRequest r, CallOptions? o = null, CancellationToken ct = default) => Tax.CheckComplianceAsync(r, Options(o, ct)).ResponseAsync;

    public Task<ValueCollateralResponse> ValueCollateralAsync(ValueCollateralRequest r, CallOptions? o = null, CancellationToken ct = default) => Collateral.ValueCollateralAsync(r, Options(o, ct)).ResponseAsync;

    public Task<BatchValueCollateralResponse> BatchValueCollateralAsync(BatchValueCollateralRequest r, CallOptions? o = null, CancellationToken ct = default) => Collateral.BatchValueCollateralAsync(r, Options(o, ct)).ResponseAsync;

    public async IAsyncEnumerable<RecognizeIncomeStreamResponse> StreamRecognizeIncomeAsync(IAsyncEnumerable<RecognizeIncomeStreamRequest> requests,
        CallOptions? o = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = Income.StreamRecognizeIncome(Options(o, cancellationToken));
        var sending = SendAllAsync(call.RequestStream, requests, cancellationToken);
        var replies = call.ResponseStream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextAsync(replies, cancellationToken))
            {
                yield return replies.Current;
            }
        }
        finally
        {
            await replies.DisposeAsync();
        }

        await sending;
    }

    /// <summary>
    /// An async sequence ends with <see cref="OperationCanceledException"/> when its token is cancelled;
    /// Grpc.Net.Client reports the caller's cancellation as RpcException(CANCELLED), which this turns back into one.
    /// </summary>
    private static async Task<bool> NextAsync(IAsyncEnumerator<RecognizeIncomeStreamResponse> replies, CancellationToken cancellationToken)
    {
        try
        {
            return await replies.MoveNextAsync();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the caller cancelled the stream", e, cancellationToken);
        }
    }

    private static async Task SendAllAsync(IClientStreamWriter<RecognizeIncomeStreamRequest> writer, IAsyncEnumerable<RecognizeIncomeStreamRequest> requests,
        CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var request in requests.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(request, cancellationToken);
            }

            await writer.CompleteAsync();
        }
        catch (RpcException)
        {
            // the call ended while sending (its status is what the response stream reports)
        }
        catch (OperationCanceledException)
        {
            // the caller cancelled; the response stream reports it
        }
        catch (InvalidOperationException)
        {
            // the call already completed: the server ended it early (e.g. an error on the first chunk)
        }
    }

    private static CallOptions Options(CallOptions? options, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? (options ?? default).WithCancellationToken(cancellationToken) : options ?? default;

    public void Dispose() => Channel.Dispose();
}

/// <summary>Adds <c>grpc-timeout</c> to every request (see <see cref="CalcClient.WithServerDeadline"/>).</summary>
internal sealed class ServerTimeoutHandler(TimeSpan timeout) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("grpc-timeout",
            ((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "m");
        return base.SendAsync(request, cancellationToken);
    }
}
