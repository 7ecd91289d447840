using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.MarketData;

public sealed partial class TieredMarketData
{
    public ValueTask<Lookup<CloseQuote>> GetCloseAsync(string venue, AssetPair pair, DateOnly date, CancellationToken cancellationToken)
    {
        var key = new CloseKey(venue, pair, date);
        var todayUtc = MarketClock.TodayUtc(_time);
        if (TryResolveCloseLocally(key, todayUtc, out var local))
        {
            MarketDataMetrics.Answered("close", "local", 1);
            return ValueTask.FromResult(local);
        }

        return SingleCloseSlowAsync(key, cancellationToken);
    }

    public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, Lookup<CloseQuote>[] results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        var todayUtc = MarketClock.TodayUtc(_time);
        List<int>? pending = null;
        for (int i = 0; i < keys.Count; i++)
        {
            if (!TryResolveCloseLocally(keys[i], todayUtc, out results[i]))
            {
                (pending ??= []).Add(i);
            }
        }

        MarketDataMetrics.Answered("close", "local", keys.Count - (pending?.Count ?? 0));
        return pending is null ? ValueTask.CompletedTask : new ValueTask(ResolveClosesSlowAsync(keys, results, pending, cancellationToken));
    }

    private async ValueTask<Lookup<CloseQuote>> SingleCloseSlowAsync(CloseKey key, CancellationToken cancellationToken)
    {
        var results = new Lookup<CloseQuote>[1];
        await ResolveClosesSlowAsync([key], results, [0], cancellationToken);
        return results[0];
    }

    /// <summary>Tier 1 and the short-lived answers: true when <paramref name="result"/> is the final answer.</summary>
    private bool TryResolveCloseLocally(CloseKey key, DateOnly todayUtc, out Lookup<CloseQuote> result)
    {
        var memory = Memory;
        if (memory.Closes.TryGet(key, out var cached))
        {
            result = Lookup<CloseQuote>.Found(cached);
            return true;
        }

        if (_store.TryGetClose(key, out var imported))
        {
            var quote = new CloseQuote(imported, QuoteSource.Import);
            memory.Closes.Set(key, quote);
            result = Lookup<CloseQuote>.Found(quote);
            return true;
        }

        if (string.IsNullOrEmpty(key.Venue) || string.IsNullOrEmpty(key.Pair.Base) || string.IsNullOrEmpty(key.Pair.Quote))
        {
            result = Lookup<CloseQuote>.Failed(CalcError.Invalid(Reasons.MissingField, string.IsNullOrEmpty(key.Venue) ? "venue" : "pair",
                "a close lookup needs a venue, a base asset and a quote currency"));
            return true;
        }

        if (key.Date > todayUtc)
        {
            result = Lookup<CloseQuote>.Failed(new CalcError(ErrorCode.OutOfRange, Reasons.DateOutOfRange,
                $"{key.Venue} {key.Pair} trading day {key.Date:yyyy-MM-dd} has not started (today is {todayUtc:yyyy-MM-dd} UTC)", "date"));
            return true;
        }

        if (_closeShortLived.TryGet(key, out result))
        {
            return true;
        }

        if (_cache.State == CacheState.Disabled && !_venues.ContainsKey(key.Venue))
        {
            result = Lookup<CloseQuote>.Failed(NotHeld(key, todayUtc));
            return true;
        }

        return false;
    }

    private static CalcError NotHeld(CloseKey key, DateOnly todayUtc) => key.Date == todayUtc
        ? CalcError.Precondition(Reasons.PriceNotFinal,
            $"{key.Venue} {key.Pair} trading day {key.Date:yyyy-MM-dd} closes at 00:00 UTC tomorrow and no upstream is configured for it", "date")
        : CalcError.NotFound(Reasons.PriceNotFound,
            $"no {key.Venue} {key.Pair} close is held for {key.Date:yyyy-MM-dd} and no upstream is configured for venue '{key.Venue}'", "date");

    private async Task ResolveClosesSlowAsync(IReadOnlyList<CloseKey> keys, Lookup<CloseQuote>[] results, List<int> pending, CancellationToken cancellationToken)
    {
        int beforeCache = pending.Count;
        pending = await ClosesFromCacheAsync(keys, results, pending, cancellationToken);
        MarketDataMetrics.Answered("close", "redis", beforeCache - pending.Count);
        MarketDataMetrics.Answered("close", "upstream", pending.Count);
        if (pending.Count == 0)
        {
            return;
        }

        var todayUtc = MarketClock.TodayUtc(_time);
        var work = new List<Task>();
        foreach (var group in pending.GroupBy(i => (keys[i].Venue, keys[i].Pair)))
        {
            if (!_venues.TryGetValue(group.Key.Venue, out var source))
            {
                foreach (int i in group)
                {
                    results[i] = Lookup<CloseQuote>.Failed(NotHeld(keys[i], todayUtc));
                }

                continue;
            }

            foreach (var run in MonthRuns(group.Select(i => keys[i].Date)))
            {
                var members = group.Where(i => keys[i].Date >= run.From && keys[i].Date <= run.To).ToArray();
                work.Add(ResolveCloseRunAsync(source, new CloseRange(source.Venue, group.Key.Pair, run.From, run.To), members, keys, results, cancellationToken));
            }
        }

        await Task.WhenAll(work);
    }

    private async Task<List<int>> ClosesFromCacheAsync(IReadOnlyList<CloseKey> keys, Lookup<CloseQuote>[] results, List<int> pending, CancellationToken cancellationToken)
    {
        if (_cache.State == CacheState.Disabled)
        {
            return pending;
        }

        var cacheKeys = new CloseKey[pending.Count];
        for (int j = 0; j < cacheKeys.Length; j++)
        {
            cacheKeys[j] = keys[pending[j]];
        }

        var memory = Memory;
        var found = new DailyClose?[cacheKeys.Length];
        if (!await CacheGuardAsync(ct => _cache.GetClosesAsync(cacheKeys, found, ct), "read closes", cancellationToken))
        {
            return pending;
        }

        var stillMissing = new List<int>();
        for (int j = 0; j < cacheKeys.Length; j++)
        {
            var key = cacheKeys[j];
            if (found[j] is { IsFinal: true } c && c.Venue == key.Venue && c.Pair == key.Pair && c.Date == key.Date && c.Close > 0)
            {
                memory.Closes.Set(key, new CloseQuote(c, QuoteSource.Memory));
                results[pending[j]] = Lookup<CloseQuote>.Found(new CloseQuote(c, QuoteSource.Redis));
            }
            else
            {
                stillMissing.Add(pending[j]);
            }
        }

        return stillMissing;
    }

    private async Task ResolveCloseRunAsync(IExchangeCloseSource source, CloseRange range, int[] members,
        IReadOnlyList<CloseKey> keys, Lookup<CloseQuote>[] results, CancellationToken cancellationToken)
    {
        var fetch = await _closeFlights.RunAsync(range, r => FetchClosesAsync(source, r), cancellationToken);
        foreach (int i in members)
        {
            results[i] = fetch.Resolve(keys[i]);
        }
    }

    /// <summary>One upstream call for a whole range; fills the caches once for every waiter.</summary>
    private async Task<CloseFetch> FetchClosesAsync(IExchangeCloseSource source, CloseRange range)
    {
        var memory = Memory;
        var todayUtc = MarketClock.TodayUtc(_time);
        var to = Min(range.To, todayUtc);
        string what = $"{range.Pair} {range.From:yyyy-MM-dd}..{to:yyyy-MM-dd}";
        IReadOnlyList<DailyClose> closes;
        try
        {
            closes = await source.GetClosesAsync(range.Pair, range.From, to, CancellationToken.None);
            _health.Succeeded(source.Venue);
            MarketDataMetrics.Requested(source.Venue, ok: true);
        }
        catch (UpstreamException e)
        {
            MarketDataMetrics.Requested(source.Venue, ok: false);
            _health.Failed(source.Venue, e.Message);
            MarketDataLog.UpstreamFailed(_logger, source.Venue, what, e.Reason, e.Message);
            return new CloseFetch(null, UpstreamError(e, $"{source.Venue} {what}"), todayUtc);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // an adapter bug or an unexpected transport error: reported per item, never a crash
            MarketDataMetrics.Requested(source.Venue, ok: false);
            _health.Failed(source.Venue, e.Message);
            MarketDataLog.UpstreamFailed(_logger, source.Venue, what, e.GetType().Name, e.Message);
            return new CloseFetch(null, new CalcError(ErrorCode.Unavailable, Reasons.UpstreamUnavailable,
                $"{source.Venue} {what}: {e.GetType().Name}: {e.Message}"), todayUtc);
        }

        var byDate = new Dictionary<DateOnly, DailyClose>();
        var finals = new List<DailyClose>();
        foreach (var raw in closes)
        {
            if (raw.Venue != source.Venue || raw.Pair != range.Pair || raw.Date < range.From || raw.Date > to || raw.Close <= 0)
            {
                MarketDataLog.UpstreamOddValue(_logger, source.Venue, what, $"{raw.Venue} {raw.Pair} {raw.Date:yyyy-MM-dd} {raw.Close}");
                continue;
            }

            bool final = raw.IsFinal && raw.Date < todayUtc;
            var c = final == raw.IsFinal ? raw : raw with { IsFinal = false };
            byDate[c.Date] = c;
            var key = new CloseKey(source.Venue, range.Pair, c.Date);
            if (final)
            {
                finals.Add(c);
                memory.Closes.Set(key, new CloseQuote(c, QuoteSource.Memory));
            }
            else
            {
                _closeShortLived.Set(key, Lookup<CloseQuote>.Found(new CloseQuote(c, QuoteSource.Upstream)), _options.ProvisionalCacheTtl);
            }
        }

        var fetch = new CloseFetch(byDate, null, todayUtc);
        for (var d = range.From; d <= to; d = d.AddDays(1))
        {
            if (!byDate.ContainsKey(d))
            {
                var key = new CloseKey(source.Venue, range.Pair, d);
                _closeShortLived.Set(key, fetch.Resolve(key), d >= todayUtc ? _options.ProvisionalCacheTtl : _options.NegativeCacheTtl);
            }
        }

        MarketDataLog.UpstreamFetched(_logger, source.Venue, what, byDate.Count);
        if (finals.Count > 0)
        {
            await CacheGuardAsync(ct => _cache.SetClosesAsync(finals, ct), "write closes", CancellationToken.None);
        }

        return fetch;
    }

    private readonly record struct CloseRange(string Venue, AssetPair Pair, DateOnly From, DateOnly To);

    /// <summary>The outcome of one range fetch, answering each requested day of it.</summary>
    private sealed record CloseFetch(Dictionary<DateOnly, DailyClose>? Closes, CalcError? Error, DateOnly TodayUtc)
    {
        public Lookup<CloseQuote> Resolve(CloseKey key)
        {
            if (Error is not null)
            {
                return Lookup<CloseQuote>.Failed(Error);
            }

            if (Closes!.TryGetValue(key.Date, out var c))
            {
                return Lookup<CloseQuote>.Found(new CloseQuote(c, QuoteSource.Upstream));
            }

            return key.Date >= TodayUtc
                ? Lookup<CloseQuote>.Failed(CalcError.Precondition(Reasons.PriceNotFinal,
                    $"{key.Venue} {key.Pair} trading day {key.Date:yyyy-MM-dd} is still open (it closes at 00:00 UTC next day) and the venue gave no provisional close", "date"))
                : Lookup<CloseQuote>.Failed(CalcError.NotFound(Reasons.PriceNotFound,
                    $"{key.Venue} has no {key.Pair} daily candle for {key.Date:yyyy-MM-dd} (no trades, not listed then, or beyond the venue's history)", "date"));
        }
    }
}
