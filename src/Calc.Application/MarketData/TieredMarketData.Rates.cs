using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.MarketData;

public sealed partial class TieredMarketData
{
    /// <summary>The rouble itself: rate 1, nominal 1, no CBR lookup (reported as an in-process final value).</summary>
    public const string Rouble = "RUB";

    public ValueTask<Lookup<CbrRateQuote>> GetCbrRateAsync(string currency, DateOnly date, CancellationToken cancellationToken)
    {
        var key = new CbrRateKey(currency, date);
        if (TryResolveRateLocally(key, MarketClock.TodayMoscow(_time), out var local))
        {
            MarketDataMetrics.Answered("cbr_rate", "local", 1);
            return ValueTask.FromResult(local);
        }

        return SingleRateSlowAsync(key, cancellationToken);
    }

    public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, Lookup<CbrRateQuote>[] results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        var todayMsk = MarketClock.TodayMoscow(_time);
        List<int>? pending = null;
        for (int i = 0; i < keys.Count; i++)
        {
            if (!TryResolveRateLocally(keys[i], todayMsk, out results[i]))
            {
                (pending ??= []).Add(i);
            }
        }

        MarketDataMetrics.Answered("cbr_rate", "local", keys.Count - (pending?.Count ?? 0));
        return pending is null ? ValueTask.CompletedTask : new ValueTask(ResolveRatesSlowAsync(keys, results, pending, cancellationToken));
    }

    private async ValueTask<Lookup<CbrRateQuote>> SingleRateSlowAsync(CbrRateKey key, CancellationToken cancellationToken)
    {
        var results = new Lookup<CbrRateQuote>[1];
        await ResolveRatesSlowAsync([key], results, [0], cancellationToken);
        return results[0];
    }

    private bool TryResolveRateLocally(CbrRateKey key, DateOnly todayMsk, out Lookup<CbrRateQuote> result)
    {
        var memory = Memory;
        if (memory.Rates.TryGet(key, out var cached))
        {
            result = Lookup<CbrRateQuote>.Found(cached);
            return true;
        }

        string currency = key.Currency;
        if (!IsCurrencyCode(currency))
        {
            result = Lookup<CbrRateQuote>.Failed(CalcError.Invalid(Reasons.InvalidCurrency, "currency",
                $"currency '{currency}' is not an upper-case currency code (ISO 4217, e.g. USD)"));
            return true;
        }

        if (currency == Rouble)
        {
            var rub = new CbrRateQuote(key.Date, new CbrRate(Rouble, key.Date, 1, 1m), QuoteSource.Memory, IsFinal: true);
            memory.Rates.Set(key, rub);
            result = Lookup<CbrRateQuote>.Found(rub);
            return true;
        }

        var series = _store.GetSeries(currency);
        CalcError? storeError = null;
        if (series is not null)
        {
            var rate = series.InForceOn(key.Date, out storeError);
            if (rate is not null)
            {
                // the series only answers a day covered by a later rate or by its own effective date: published
                var quote = new CbrRateQuote(key.Date, rate, QuoteSource.Import, IsFinal: true);
                memory.Rates.Set(key, quote);
                result = Lookup<CbrRateQuote>.Found(quote);
                return true;
            }
        }

        if (key.Date > todayMsk.AddDays(_options.CbrProvisionalHorizonDays))
        {
            result = Lookup<CbrRateQuote>.Failed(NotPublished(key, todayMsk));
            return true;
        }

        if (_rateShortLived.TryGet(key, out result))
        {
            return true;
        }

        if (_cbr is null && _cache.State == CacheState.Disabled)
        {
            result = Lookup<CbrRateQuote>.Failed(key.Date > todayMsk
                ? NotPublished(key, todayMsk)
                : storeError ?? CalcError.NotFound(Reasons.UnknownCurrency, $"no CBR rates are held for currency '{currency}' and no CBR upstream is configured", "currency"));
            return true;
        }

        return false;
    }

    /// <summary>3 to 10 upper-case ASCII letters or digits, starting with a letter (USD; also USDT, which CBR then reports unknown).</summary>
    private static bool IsCurrencyCode(string? code)
    {
        if (code is null || code.Length is < 3 or > 10 || !char.IsAsciiLetterUpper(code[0]))
        {
            return false;
        }

        foreach (char c in code)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static CalcError NotPublished(CbrRateKey key, DateOnly todayMsk) => CalcError.Precondition(Reasons.RateNotPublished,
        $"the CBR {key.Currency} rate for {key.Date:yyyy-MM-dd} is not published yet (today is {todayMsk:yyyy-MM-dd} in Moscow; CBR sets the next day's rate ~15:30 MSK on working days)",
        "date");

    private async Task ResolveRatesSlowAsync(IReadOnlyList<CbrRateKey> keys, Lookup<CbrRateQuote>[] results, List<int> pending, CancellationToken cancellationToken)
    {
        int beforeCache = pending.Count;
        pending = await RatesFromCacheAsync(keys, results, pending, cancellationToken);
        MarketDataMetrics.Answered("cbr_rate", "redis", beforeCache - pending.Count);
        MarketDataMetrics.Answered("cbr_rate", "upstream", pending.Count);
        if (pending.Count == 0)
        {
            return;
        }

        var todayMsk = MarketClock.TodayMoscow(_time);
        if (_cbr is null)
        {
            foreach (int i in pending)
            {
                var key = keys[i];
                var series = _store.GetSeries(key.Currency);
                CalcError? error = null;
                series?.InForceOn(key.Date, out error);
                results[i] = Lookup<CbrRateQuote>.Failed(key.Date > todayMsk ? NotPublished(key, todayMsk)
                    : error ?? CalcError.NotFound(Reasons.UnknownCurrency, $"no CBR rates are held for currency '{key.Currency}' and no CBR upstream is configured", "currency"));
            }

            return;
        }

        var work = new List<Task>();
        foreach (var group in pending.GroupBy(i => keys[i].Currency, StringComparer.Ordinal))
        {
            foreach (var run in MonthRuns(group.Select(i => keys[i].Date)))
            {
                var members = group.Where(i => keys[i].Date >= run.From && keys[i].Date <= run.To).ToArray();
                work.Add(ResolveRateRunAsync(_cbr, new RateRange(group.Key, run.From, run.To), members, keys, results, cancellationToken));
            }
        }

        await Task.WhenAll(work);
    }

    private async Task<List<int>> RatesFromCacheAsync(IReadOnlyList<CbrRateKey> keys, Lookup<CbrRateQuote>[] results, List<int> pending, CancellationToken cancellationToken)
    {
        if (_cache.State == CacheState.Disabled)
        {
            return pending;
        }

        var cacheKeys = new CbrRateKey[pending.Count];
        for (int j = 0; j < cacheKeys.Length; j++)
        {
            cacheKeys[j] = keys[pending[j]];
        }

        var memory = Memory;
        var found = new CbrRate?[cacheKeys.Length];
        if (!await CacheGuardAsync(ct => _cache.GetCbrRatesAsync(cacheKeys, found, ct), "read CBR rates", cancellationToken))
        {
            return pending;
        }

        var stillMissing = new List<int>();
        for (int j = 0; j < cacheKeys.Length; j++)
        {
            var key = cacheKeys[j];
            if (found[j] is { } r && r.Currency == key.Currency && r.EffectiveDate <= key.Date && r.Nominal > 0 && r.Value > 0
                && key.Date.DayNumber - r.EffectiveDate.DayNumber < CbrRateSeries.MaxGapDays)
            {
                memory.Rates.Set(key, new CbrRateQuote(key.Date, r, QuoteSource.Memory, IsFinal: true));
                results[pending[j]] = Lookup<CbrRateQuote>.Found(new CbrRateQuote(key.Date, r, QuoteSource.Redis, IsFinal: true));
            }
            else
            {
                stillMissing.Add(pending[j]);
            }
        }

        return stillMissing;
    }

    private async Task ResolveRateRunAsync(ICbrRateSource source, RateRange range, int[] members,
        IReadOnlyList<CbrRateKey> keys, Lookup<CbrRateQuote>[] results, CancellationToken cancellationToken)
    {
        var fetch = await _rateFlights.RunAsync(range, r => FetchRatesAsync(source, r), cancellationToken);
        foreach (int i in members)
        {
            results[i] = fetch.Error is not null ? Lookup<CbrRateQuote>.Failed(fetch.Error)
                : fetch.ByDate!.TryGetValue(keys[i].Date, out var answer) ? answer
                : Lookup<CbrRateQuote>.Failed(NotPublished(keys[i], MarketClock.TodayMoscow(_time)));
        }
    }

    /// <summary>
    /// One CBR call for a month-aligned range, started <see cref="CbrRateSeries.MaxGapDays"/> days early so the
    /// rate in force on the first day is included. Every day of the range is answered and cached once.
    /// </summary>
    private async Task<RateFetch> FetchRatesAsync(ICbrRateSource source, RateRange range)
    {
        var memory = Memory;
        var todayMsk = MarketClock.TodayMoscow(_time);
        var lastAnswerable = Min(range.To, todayMsk.AddDays(_options.CbrProvisionalHorizonDays));
        var fetchFrom = range.From.AddDays(-CbrRateSeries.MaxGapDays);
        var fetchTo = Min(range.To, todayMsk.AddDays(1));
        string what = $"{range.Currency} {fetchFrom:yyyy-MM-dd}..{fetchTo:yyyy-MM-dd}";
        IReadOnlyList<CbrRate> fetched;
        try
        {
            fetched = await source.GetRatesAsync(range.Currency, fetchFrom, fetchTo, CancellationToken.None);
            _health.Succeeded(CbrSource);
            MarketDataMetrics.Requested(CbrSource, ok: true);
        }
        catch (UpstreamException e)
        {
            MarketDataMetrics.Requested(CbrSource, ok: false);
            if (e.Reason != Domain.Errors.Reasons.UnknownCurrency)
            {
                _health.Failed(CbrSource, e.Message);
            }

            MarketDataLog.UpstreamFailed(_logger, CbrSource, what, e.Reason, e.Message);
            return new RateFetch(null, UpstreamError(e, "CBR " + what));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            MarketDataMetrics.Requested(CbrSource, ok: false);
            _health.Failed(CbrSource, e.Message);
            MarketDataLog.UpstreamFailed(_logger, CbrSource, what, e.GetType().Name, e.Message);
            return new RateFetch(null, new CalcError(ErrorCode.Unavailable, Reasons.UpstreamUnavailable, $"CBR {what}: {e.GetType().Name}: {e.Message}"));
        }

        var rates = new List<CbrRate>();
        foreach (var r in fetched.OrderBy(r => r.EffectiveDate))
        {
            if (r.Currency != range.Currency || r.EffectiveDate < fetchFrom || r.EffectiveDate > fetchTo || r.Nominal <= 0 || r.Value <= 0
                || (rates.Count > 0 && rates[^1].EffectiveDate == r.EffectiveDate))
            {
                MarketDataLog.UpstreamOddValue(_logger, CbrSource, what, $"{r.Currency} {r.EffectiveDate:yyyy-MM-dd} {r.Value}/{r.Nominal}");
                continue;
            }

            rates.Add(r);
        }

        // published rates are complete through today (Moscow), and through the last rate's own date when that is later
        var completeThrough = Max(Min(fetchTo, todayMsk), rates.Count > 0 ? rates[^1].EffectiveDate : DateOnly.MinValue);
        var byDate = new Dictionary<DateOnly, Lookup<CbrRateQuote>>();
        var finals = new List<(DateOnly, CbrRate)>();
        int next = 0;
        CbrRate? inForce = null;
        for (var d = range.From; d <= lastAnswerable; d = d.AddDays(1))
        {
            while (next < rates.Count && rates[next].EffectiveDate <= d)
            {
                inForce = rates[next++];
            }

            var key = new CbrRateKey(range.Currency, d);
            Lookup<CbrRateQuote> answer;
            if (inForce is null || d.DayNumber - inForce.EffectiveDate.DayNumber >= CbrRateSeries.MaxGapDays)
            {
                answer = Lookup<CbrRateQuote>.Failed(d > completeThrough ? NotPublished(key, todayMsk)
                    : CalcError.NotFound(Reasons.RateNotFound,
                        $"CBR published no {range.Currency} rate in force on {d:yyyy-MM-dd} (none in the {CbrRateSeries.MaxGapDays} days before it)", "date"));
                _rateShortLived.Set(key, answer, d > completeThrough ? _options.ProvisionalCacheTtl : _options.NegativeCacheTtl);
            }
            else if (d <= completeThrough)
            {
                answer = Lookup<CbrRateQuote>.Found(new CbrRateQuote(d, inForce, QuoteSource.Upstream, IsFinal: true));
                memory.Rates.Set(key, new CbrRateQuote(d, inForce, QuoteSource.Memory, IsFinal: true));
                finals.Add((d, inForce));
            }
            else
            {
                // the latest published rate stays in force unless CBR publishes a new one before that day
                answer = Lookup<CbrRateQuote>.Found(new CbrRateQuote(d, inForce, QuoteSource.Upstream, IsFinal: false));
                _rateShortLived.Set(key, answer, _options.ProvisionalCacheTtl);
            }

            byDate[d] = answer;
        }

        MarketDataLog.UpstreamFetched(_logger, CbrSource, what, rates.Count);
        if (finals.Count > 0)
        {
            await CacheGuardAsync(ct => _cache.SetCbrRatesAsync(finals, ct), "write CBR rates", CancellationToken.None);
        }

        return new RateFetch(byDate, null);
    }

    private readonly record struct RateRange(string Currency, DateOnly From, DateOnly To);

    private sealed record RateFetch(Dictionary<DateOnly, Lookup<CbrRateQuote>>? ByDate, CalcError? Error);
}
