using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.MarketData;

/// <summary>
/// Market data answered from the in-process <see cref="MarketDataStore"/> alone: the embedded mode with
/// imported files and no upstream. A value not held is an error with a reason, never a default.
/// </summary>
public sealed class StoreMarketData(MarketDataStore store) : IMarketData
{
    public ValueTask<Lookup<CbrRateQuote>> GetCbrRateAsync(string currency, DateOnly date, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CbrRate(currency, date));

    public ValueTask<Lookup<CloseQuote>> GetCloseAsync(string venue, AssetPair pair, DateOnly date, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Close(new CloseKey(venue, pair, date)));

    public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, Lookup<CbrRateQuote>[] results, CancellationToken cancellationToken)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            results[i] = CbrRate(keys[i].Currency, keys[i].Date);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, Lookup<CloseQuote>[] results, CancellationToken cancellationToken)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            results[i] = Close(keys[i]);
        }

        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<VenueInfo> ListVenues() =>
        store.CloseSpans()
            .GroupBy(s => s.Venue, StringComparer.Ordinal)
            .Select(g => new VenueInfo(g.Key, "UTC", g.Select(s => new PairSpan(s.Pair, s.First, s.Last)).ToArray()))
            .ToArray();

    private Lookup<CbrRateQuote> CbrRate(string currency, DateOnly date)
    {
        var series = store.GetSeries(currency);
        if (series is null)
        {
            return Lookup<CbrRateQuote>.Failed(CalcError.NotFound(Reasons.UnknownCurrency,
                $"no CBR rates are held for currency '{currency}'", "currency"));
        }

        var rate = series.InForceOn(date, out var error);
        return rate is null
            ? Lookup<CbrRateQuote>.Failed(error!)
            : Lookup<CbrRateQuote>.Found(new CbrRateQuote(date, rate, QuoteSource.Import, IsFinal: true));
    }

    private Lookup<CloseQuote> Close(CloseKey key) =>
        store.TryGetClose(key, out var close)
            ? Lookup<CloseQuote>.Found(new CloseQuote(close, QuoteSource.Import))
            : Lookup<CloseQuote>.Failed(CalcError.NotFound(Reasons.PriceNotFound,
                $"no {key.Venue} {key.Pair} close is held for {key.Date:yyyy-MM-dd}", "date"));
}
