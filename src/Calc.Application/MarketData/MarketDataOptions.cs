namespace Calc.Application.MarketData;

/// <summary>
/// Configuration section <c>MarketData</c> (environment: <c>MarketData__…</c>). Upstreams are disabled by
/// default: the embedded mode answers from imported files only.
/// </summary>
public sealed class MarketDataOptions
{
    public const string Section = "MarketData";

    /// <summary>How long a "no data" answer from an upstream is remembered.</summary>
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a provisional value (open UTC day, CBR rate not yet published) is reused.</summary>
    public TimeSpan ProvisionalCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait for one shared-cache (Redis) round trip before the lookup goes on without it.</summary>
    public TimeSpan CacheTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Final values kept in process per cache generation (two generations are kept).</summary>
    public int MemoryCacheCapacity { get; set; } = 500_000;

    /// <summary>How far past today (Moscow) a CBR rate may be asked for and answered provisionally.</summary>
    public int CbrProvisionalHorizonDays { get; set; } = 7;

    /// <summary>How long a finished upstream fetch is shared with late joiners of the same range.</summary>
    public TimeSpan FlightRetention { get; set; } = TimeSpan.FromSeconds(2);

    public MarketDataUpstreamsOptions Upstreams { get; set; } = new();

    public MarketDataSyncOptions Sync { get; set; } = new();
}

/// <summary>Section <c>MarketData:Upstreams</c>: one entry per source, each disabled by default.</summary>
public sealed class MarketDataUpstreamsOptions
{
    public UpstreamOptions Cbr { get; set; } = new();

    public UpstreamOptions Binance { get; set; } = new();

    public UpstreamOptions Bybit { get; set; } = new();

    public UpstreamOptions Okx { get; set; } = new();

    public UpstreamOptions Coinbase { get; set; } = new();

    public UpstreamOptions Kraken { get; set; } = new();

    public UpstreamOptions Bitstamp { get; set; } = new();

    public UpstreamOptions KuCoin { get; set; } = new();

    public UpstreamOptions Mexc { get; set; } = new();

    public UpstreamOptions Htx { get; set; } = new();

    public UpstreamOptions Gate { get; set; } = new();
}

/// <summary>One upstream: whether it is used, where it is and how patiently it is called.</summary>
public sealed class UpstreamOptions
{
    public bool Enabled { get; set; }

    /// <summary>Base address; null uses the public production address of the source.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Time allowed for one HTTP attempt (headers and body).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per request, the first included (429, 5xx, timeouts and connection errors are retried).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>First backoff delay; doubled on every further attempt, with jitter.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait honoured before a retry; a longer Retry-After fails the request at once.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Section <c>MarketData:Sync</c>: the background refresh of recent days (runs only with upstreams).</summary>
public sealed class MarketDataSyncOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Period of the routine refresh, besides the runs after the UTC day close and CBR publication.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Days before today that every run refreshes.</summary>
    public int LookbackDays { get; set; } = 7;

    /// <summary>CBR currencies kept fresh; empty means USD, EUR and CNY.</summary>
    public IList<string> Currencies { get; } = [];

    /// <summary>Venue pairs kept fresh, as <c>venue:BASE/QUOTE</c> (e.g. <c>binance:BTC/USDT</c>); empty means BTC/USDT on binance.</summary>
    public IList<string> Pairs { get; } = [];

    /// <summary>Moscow time after which CBR has published tomorrow's rates (announced ~15:30 MSK).</summary>
    public TimeSpan CbrPublishedAfterMsk { get; set; } = new(15, 45, 0);

    /// <summary>Delay after 00:00 UTC before the closed day is fetched from venues.</summary>
    public TimeSpan VenueCloseDelay { get; set; } = TimeSpan.FromMinutes(5);
}
