using System.Collections.Frozen;
using Calc.Application.MarketData.Upstream;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Application.MarketData;

/// <summary>
/// Market data answered from the fastest tier that holds the value:
/// <list type="number">
/// <item>in process: imported values (<see cref="MarketDataStore"/>) and a bounded cache of final values
/// learnt from the tiers below — answered synchronously, without allocating beyond the result;</item>
/// <item>the shared cache (<see cref="IQuoteCache"/>, Redis): one batched read for all misses of a call,
/// bounded by <see cref="MarketDataOptions.CacheTimeout"/> and failing open;</item>
/// <item>the upstreams: whole month-aligned ranges per (venue, pair) or currency, one call per range shared
/// by every concurrent caller (single flight).</item>
/// </list>
/// "No data" answers are remembered for <see cref="MarketDataOptions.NegativeCacheTtl"/>; provisional values
/// (open UTC day, CBR rate not yet published) are marked <c>IsFinal = false</c>, reused only for
/// <see cref="MarketDataOptions.ProvisionalCacheTtl"/> and never stored as final. With no upstream and no
/// shared cache this is exactly the store-only (embedded) mode.
/// </summary>
public sealed partial class TieredMarketData : IMarketData
{
    public const string CbrSource = "cbr";

    private readonly MarketDataStore _store;
    private readonly IQuoteCache _cache;
    private readonly ICbrRateSource? _cbr;
    private readonly FrozenDictionary<string, IExchangeCloseSource> _venues;
    private readonly TimeProvider _time;
    private readonly MarketDataOptions _options;
    private readonly UpstreamHealth _health;
    private readonly ILogger _logger;

    private MemoryTier _memory;
    private readonly ExpiringCache<CloseKey, Lookup<CloseQuote>> _closeShortLived;
    private readonly ExpiringCache<CbrRateKey, Lookup<CbrRateQuote>> _rateShortLived;
    private readonly SingleFlight<CloseRange, CloseFetch> _closeFlights;
    private readonly SingleFlight<RateRange, RateFetch> _rateFlights;

    public TieredMarketData(
        MarketDataStore store,
        IQuoteCache cache,
        IEnumerable<ICbrRateSource> cbrSources,
        IEnumerable<IExchangeCloseSource> venues,
        TimeProvider time,
        IOptions<MarketDataOptions> options,
        UpstreamHealth health,
        ILogger<TieredMarketData> logger,
        VenueRegistry? venueRegistry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Venues = venueRegistry ?? VenueRegistry.SupportedOnly;
        _store = store;
        _cache = cache;
        _cbr = cbrSources.FirstOrDefault();
        _venues = venues.ToFrozenDictionary(v => v.Venue, StringComparer.Ordinal);
        _time = time;
        _options = options.Value;
        _health = health;
        _logger = logger;
        _memory = new MemoryTier(store.Version, cache.ChangeEpoch, _options.MemoryCacheCapacity);
        _closeShortLived = new(time);
        _rateShortLived = new(time);
        _closeFlights = new(time, _options.FlightRetention);
        _rateFlights = new(time, _options.FlightRetention);
        if (_cbr is not null)
        {
            health.Register(CbrSource);
        }

        foreach (var venue in _venues.Keys)
        {
            health.Register(venue);
        }
    }

    /// <summary>
    /// The in-process tier for the store's current version and the shared cache's current change epoch. An
    /// import that adds or replaces a value changes what a key answers (a replaced close, or a new rate in force
    /// from its date), here or — announced through the shared cache — on another replica, so the values learnt
    /// before it are dropped with their tier; a lookup that started on an older tier only writes into that dropped one.
    /// </summary>
    private MemoryTier Memory
    {
        get
        {
            while (true)
            {
                var memory = Volatile.Read(ref _memory);
                long version = _store.Version;
                long epoch = _cache.ChangeEpoch;
                if (memory.StoreVersion == version && memory.CacheEpoch == epoch)
                {
                    return memory;
                }

                Interlocked.CompareExchange(ref _memory, new MemoryTier(version, epoch, _options.MemoryCacheCapacity), memory);
            }
        }
    }

    /// <summary>Upstream calls started so far (closes, CBR rates): what single flight and range fetching save.</summary>
    public (long Closes, long Rates) UpstreamFetches => (_closeFlights.Started, _rateFlights.Started);

    public bool HasUpstreams => _cbr is not null || _venues.Count > 0;

    public bool HasCbrUpstream => _cbr is not null;

    public IReadOnlyCollection<string> UpstreamVenues => _venues.Keys;

    public VenueRegistry Venues { get; }

    public IReadOnlyList<VenueInfo> ListVenues()
    {
        // imports refuse undeclared venues; the filter keeps the list to declared venues whatever the store holds
        var spans = _store.CloseSpans()
            .GroupBy(s => s.Venue, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => new PairSpan(s.Pair, s.First, s.Last)).ToArray(), StringComparer.Ordinal);
        return spans.Keys.Union(_venues.Keys, StringComparer.Ordinal)
            .Where(Venues.IsDeclared)
            .Order(StringComparer.Ordinal)
            .Select(v => new VenueInfo(v, VenueDays.Convention(v), spans.TryGetValue(v, out var pairs) ? pairs : []))
            .ToArray();
    }

    /// <summary>Runs a shared-cache operation; false (a miss) when the cache is disabled, fails, or is too slow.</summary>
    private async ValueTask<bool> CacheGuardAsync(Func<CancellationToken, ValueTask> operation, string what, CancellationToken cancellationToken)
    {
        if (_cache.State == CacheState.Disabled)
        {
            return false;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.CacheTimeout);
        try
        {
            await operation(cts.Token).AsTask().WaitAsync(_options.CacheTimeout, _time, cancellationToken);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            MarketDataLog.CacheFailed(_logger, what, e.GetType().Name, e.Message);
            return false;
        }
    }

    /// <summary>Final closes and rates learnt while the store was at one version and the shared cache at one change epoch.</summary>
    private sealed class MemoryTier(long storeVersion, long cacheEpoch, int capacity)
    {
        public long StoreVersion { get; } = storeVersion;

        public long CacheEpoch { get; } = cacheEpoch;

        public GenerationalCache<CloseKey, CloseQuote> Closes { get; } = new(capacity);

        public GenerationalCache<CbrRateKey, CbrRateQuote> Rates { get; } = new(capacity);
    }

    private static CalcError UpstreamError(UpstreamException e, string what) => e.Reason switch
    {
        Reasons.UnknownCurrency or Reasons.UnknownPair or Reasons.UnknownAsset =>
            CalcError.NotFound(e.Reason, $"{what}: {e.Message}"),
        _ => new CalcError(ErrorCode.Unavailable, e.Reason, $"{what}: {e.Message}"),
    };

    /// <summary>Consecutive calendar months covering <paramref name="dates"/>, as [first day, last day] ranges.</summary>
    internal static List<(DateOnly From, DateOnly To)> MonthRuns(IEnumerable<DateOnly> dates)
    {
        var months = dates.Select(d => (d.Year * 12) + d.Month - 1).Distinct().Order().ToList();
        var runs = new List<(DateOnly, DateOnly)>();
        for (int i = 0; i < months.Count;)
        {
            int j = i;
            while (j + 1 < months.Count && months[j + 1] == months[j] + 1)
            {
                j++;
            }

            var from = new DateOnly(months[i] / 12, (months[i] % 12) + 1, 1);
            var lastMonth = new DateOnly(months[j] / 12, (months[j] % 12) + 1, 1);
            runs.Add((from, lastMonth.AddMonths(1).AddDays(-1)));
            i = j + 1;
        }

        return runs;
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
