using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Calc.Application.MarketData;

/// <summary>
/// Keeps recent days warm: at startup, after every UTC day close (+ <see cref="MarketDataSyncOptions.VenueCloseDelay"/>),
/// after the CBR publication time (Moscow) and every <see cref="MarketDataSyncOptions.Interval"/>, it asks the
/// tiered lookup for the last <see cref="MarketDataSyncOptions.LookbackDays"/> days of each configured pair
/// and currency (and tomorrow's CBR rate). Days already final in memory cost nothing; missing ones are
/// fetched as one range per source. Does nothing when no upstream is configured or sync is disabled.
/// </summary>
public sealed class MarketDataSyncService(TieredMarketData marketData, TimeProvider time, IOptions<MarketDataOptions> options, ILogger<MarketDataSyncService> logger)
    : BackgroundService
{
    private static readonly string[] DefaultCurrencies = ["USD", "EUR", "CNY"];
    private static readonly string[] DefaultPairs = ["binance:BTC/USDT"];

    /// <summary>Completed runs (for tests and metrics).</summary>
    public int Runs => Volatile.Read(ref _runs);

    private int _runs;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sync = options.Value.Sync;
        if (!sync.Enabled || !marketData.HasUpstreams)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed run is logged and retried at the next slot; the host must keep serving
            catch (Exception e)
#pragma warning restore CA1031
            {
                MarketDataLog.SyncCrashed(logger, e);
            }

            var wait = NextRunAt(time.GetUtcNow(), sync) - time.GetUtcNow();
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1), time, stoppingToken);
        }
    }

    /// <summary>The next slot: the earliest of the routine interval, the next UTC day close and the next CBR publication.</summary>
    public static DateTimeOffset NextRunAt(DateTimeOffset now, MarketDataSyncOptions sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var utc = now.ToUniversalTime();
        var afterDayClose = new DateTimeOffset(utc.Date, TimeSpan.Zero).AddDays(1) + sync.VenueCloseDelay;
        if (afterDayClose - TimeSpan.FromDays(1) > utc)
        {
            afterDayClose -= TimeSpan.FromDays(1);
        }

        var msk = utc.ToOffset(MarketClock.MoscowOffset);
        var publication = new DateTimeOffset(msk.Date, MarketClock.MoscowOffset) + sync.CbrPublishedAfterMsk;
        if (publication <= msk)
        {
            publication = publication.AddDays(1);
        }

        var routine = utc + sync.Interval;
        var next = routine;
        if (afterDayClose < next)
        {
            next = afterDayClose;
        }

        if (publication < next)
        {
            next = publication;
        }

        return next;
    }

    /// <summary>One refresh of every configured pair and currency; returns (values now held, items that failed).</summary>
    public async Task<(int Ok, int Failed)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var sync = options.Value.Sync;
        int ok = 0, failed = 0;
        var todayUtc = MarketClock.TodayUtc(time);
        var closeKeys = new List<CloseKey>();
        foreach (string entry in sync.Pairs.Count > 0 ? sync.Pairs : DefaultPairs)
        {
            if (!TryParsePair(entry, out string venue, out var pair))
            {
                MarketDataLog.SyncBadPair(logger, entry);
                continue;
            }

            if (!marketData.UpstreamVenues.Contains(venue))
            {
                continue;
            }

            for (int d = sync.LookbackDays; d >= 1; d--)
            {
                closeKeys.Add(new CloseKey(venue, pair, todayUtc.AddDays(-d)));
            }
        }

        if (closeKeys.Count > 0)
        {
            var results = new Lookup<CloseQuote>[closeKeys.Count];
            await marketData.GetClosesAsync(closeKeys, results, cancellationToken);
            ok += results.Count(r => r.Ok);
            failed += results.Count(r => !r.Ok);
            MarketDataLog.SyncRun(logger, "venue closes", results.Count(r => r.Ok), results.Count(r => !r.Ok));
        }

        if (marketData.HasCbrUpstream)
        {
            var todayMsk = MarketClock.TodayMoscow(time);
            var rateKeys = new List<CbrRateKey>();
            foreach (string currency in sync.Currencies.Count > 0 ? sync.Currencies : DefaultCurrencies)
            {
                for (int d = sync.LookbackDays; d >= -1; d--)
                {
                    rateKeys.Add(new CbrRateKey(currency, todayMsk.AddDays(-d)));
                }
            }

            var results = new Lookup<CbrRateQuote>[rateKeys.Count];
            await marketData.GetCbrRatesAsync(rateKeys, results, cancellationToken);
            ok += results.Count(r => r.Ok);
            failed += results.Count(r => !r.Ok);
            MarketDataLog.SyncRun(logger, "CBR rates", results.Count(r => r.Ok), results.Count(r => !r.Ok));
        }

        Interlocked.Increment(ref _runs);
        return (ok, failed);
    }

    internal static bool TryParsePair(string entry, out string venue, out AssetPair pair)
    {
        venue = "";
        pair = default;
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        int slash = entry.IndexOf('/', StringComparison.Ordinal);
        if (colon <= 0 || slash < colon + 2 || slash == entry.Length - 1)
        {
            return false;
        }

        venue = entry[..colon].Trim();
        pair = new AssetPair(entry[(colon + 1)..slash].Trim(), entry[(slash + 1)..].Trim());
        return true;
    }
}
