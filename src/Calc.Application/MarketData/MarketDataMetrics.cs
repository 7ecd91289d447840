using System.Diagnostics.Metrics;

namespace Calc.Application.MarketData;

/// <summary>
/// Which tier answered market-data lookups, and the upstream requests made (meter <c>Calc.Application</c>,
/// exported over OTLP with the others). Counted per batch, never per key on the in-process path, so the
/// month-end hot path pays one <c>Add</c> per batch.
/// </summary>
/// <remarks>
/// <c>calc.market_data.lookups</c> {lookup}: <c>kind</c> = close | cbr_rate; <c>tier</c> = local (answered in
/// process: memory, import, or a short-lived answer such as a cached "no data"), redis (found in the shared
/// cache), upstream (left for an upstream fetch, or answered "not held" when none is configured).
/// <c>calc.market_data.upstream_requests</c> {request}: <c>source</c> = the venue or cbr; <c>outcome</c> = ok | error.
/// </remarks>
internal static class MarketDataMetrics
{
    private static readonly Counter<long> Lookups = ApplicationMeter.Instance.CreateCounter<long>(
        "calc.market_data.lookups", "{lookup}", "Market-data lookups by kind and by the tier that answered them");

    private static readonly Counter<long> UpstreamRequests = ApplicationMeter.Instance.CreateCounter<long>(
        "calc.market_data.upstream_requests", "{request}", "Range requests made to upstream sources, by source and outcome");

    public static void Answered(string kind, string tier, int count)
    {
        if (count > 0 && Lookups.Enabled)
        {
            Lookups.Add(count, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("tier", tier));
        }
    }

    public static void Requested(string source, bool ok)
    {
        if (UpstreamRequests.Enabled)
        {
            UpstreamRequests.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));
        }
    }
}
