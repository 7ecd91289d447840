using System.Globalization;
using Calc.Application.MarketData;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Adapters.Cbr;

/// <summary>
/// The Bank of Russia REST XML service: <c>XML_dynamic.asp</c> for a currency over a range (the rates that
/// took effect in it) and <c>XML_daily.asp</c> for every currency on one date. One HTTP call per range.
/// </summary>
public sealed class CbrRateClient(IHttpClientFactory httpClientFactory, IOptions<MarketDataOptions> options, TimeProvider time, ILogger<CbrRateClient> logger)
    : ICbrRateSource
{
    /// <summary>Name of the HttpClient registered for CBR.</summary>
    public const string HttpClientName = "calc-cbr";

    public static readonly Uri DefaultBaseUrl = new("https://www.cbr.ru/");

    private const string Source = TieredMarketData.CbrSource;

    public async Task<IReadOnlyList<CbrRate>> GetRatesAsync(string currency, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (!CbrCurrencies.Ids.TryGetValue(currency, out string? id))
        {
            throw new UpstreamException(Source, Reasons.UnknownCurrency, $"CBR publishes no rate for currency '{currency}' (no CBR currency ID is known for it)");
        }

        if (from > to)
        {
            return [];
        }

        string uri = $"scripts/XML_dynamic.asp?date_req1={Dmy(from)}&date_req2={Dmy(to)}&VAL_NM_RQ={id}";
        byte[] body = await Http().GetBytesAsync(uri, cancellationToken);
        CbrDynamic parsed;
        try
        {
            parsed = CbrXml.ParseDynamic(body);
        }
        catch (CbrFormatException e)
        {
            throw Invalid(uri, e);
        }

        if (parsed.Id != id)
        {
            throw new UpstreamException(Source, Reasons.UpstreamInvalidResponse, $"CBR answered currency {parsed.Id} to a request for {id} ({currency})");
        }

        return parsed.Records
            .Where(r => r.Date >= from && r.Date <= to)
            .Select(r => new CbrRate(currency, r.Date, r.Nominal, r.Value))
            .ToArray();
    }

    /// <summary>Every currency's rate in force on <paramref name="date"/> (null: the latest registered date).</summary>
    public async Task<CbrDaily> GetDailyAsync(DateOnly? date, CancellationToken cancellationToken)
    {
        string uri = date is { } d ? $"scripts/XML_daily.asp?date_req={Dmy(d)}" : "scripts/XML_daily.asp";
        byte[] body = await Http().GetBytesAsync(uri, cancellationToken);
        try
        {
            return CbrXml.ParseDaily(body);
        }
        catch (CbrFormatException e)
        {
            throw Invalid(uri, e);
        }
    }

    private UpstreamHttp Http() =>
        new(httpClientFactory.CreateClient(HttpClientName), Source, options.Value.Upstreams.Cbr, time, logger);

    private static UpstreamException Invalid(string uri, CbrFormatException e) =>
        new(Source, Reasons.UpstreamInvalidResponse, $"CBR answered {uri} with an invalid document: {e.Message}", e);

    private static string Dmy(DateOnly d) => d.ToString("dd'/'MM'/'yyyy", CultureInfo.InvariantCulture);
}
