using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Application.MarketData;

/// <summary>
/// Readiness of market data: each configured upstream by the outcome of its last call, the shared cache, and
/// the data held (which close series and CBR rate series, over which days). A failing source or an unreachable
/// cache is <see cref="HealthStatus.Degraded"/> (lookups still answer from the other tiers, with a reason per
/// missing item), never Unhealthy; so is a server that holds no closes (or no CBR rates) and has no upstream to
/// fetch them, since every priced call would then fail.
/// </summary>
public sealed class MarketDataHealthCheck(UpstreamHealth upstreams, IQuoteCache cache, MarketDataStore? store) : IHealthCheck
{
    /// <summary>Without the store: upstreams and cache only (the data held is not reported).</summary>
    public MarketDataHealthCheck(UpstreamHealth upstreams, IQuoteCache cache)
        : this(upstreams, cache, null)
    {
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["cache"] = cache.State.ToString() };
        var missing = store is null ? [] : HeldData(data);
        var failing = new List<string>();
        foreach (var (source, status) in upstreams.Snapshot())
        {
            data[source] = status switch
            {
                null => "not called yet",
                { Reachable: true } => $"ok at {status.At:O}",
                _ => $"failing since {status.At:O}: {status.Error}",
            };
            if (status is { Reachable: false })
            {
                failing.Add(source);
            }
        }

        if (cache.State == CacheState.Degraded)
        {
            failing.Add("cache");
        }

        if (missing.Count > 0)
        {
            failing.AddRange(missing);
        }

        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy(upstreams.Snapshot().Count == 0 ? "market data held (no upstream enabled)" : "market data sources reachable", data)
            : HealthCheckResult.Degraded("degraded: " + string.Join(", ", failing), data: data));
    }

    /// <summary>Lists the series held in <paramref name="data"/>; returns what is missing with nothing to fetch it.</summary>
    private List<string> HeldData(Dictionary<string, object> data)
    {
        var spans = store!.CloseSpans();
        data["closes_held"] = spans.Count == 0
            ? "none"
            : string.Join("; ", spans.OrderBy(x => x.Venue, StringComparer.Ordinal).ThenBy(x => x.Pair.ToString(), StringComparer.Ordinal)
                .Select(x => $"{x.Venue} {x.Pair} {x.First:yyyy-MM-dd}..{x.Last:yyyy-MM-dd}"));
        var series = store.Currencies.Order(StringComparer.Ordinal).Select(store.GetSeries).Where(x => x is { Rates.Count: > 0 }).ToList();
        data["cbr_rates_held"] = series.Count == 0
            ? "none"
            : string.Join("; ", series.Select(x => $"{x!.Currency} {x.Rates[0].EffectiveDate:yyyy-MM-dd}..{x.Rates[^1].EffectiveDate:yyyy-MM-dd}"));

        var sources = upstreams.Snapshot().Select(x => x.Source).ToList();
        bool cbrUpstream = sources.Contains(TieredMarketData.CbrSource), venueUpstream = sources.Any(x => x != TieredMarketData.CbrSource);
        var missing = new List<string>(2);
        if (spans.Count == 0 && !venueUpstream)
        {
            missing.Add("no closes held and no venue upstream enabled (every quote, income and collateral call fails PRICE_NOT_FOUND; "
                + "import closes.csv with MarketData:ImportPath or ImportClosingPrices, or enable MarketData:Upstreams:<Venue>)");
        }

        if (series.Count == 0 && !cbrUpstream)
        {
            missing.Add("no CBR rates held and no CBR upstream enabled (closes not quoted in RUB cannot be converted; "
                + "import cbr-rates.csv or enable MarketData:Upstreams:Cbr)");
        }

        return missing;
    }
}
