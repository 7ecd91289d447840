using Calc.Domain.Errors;

namespace Calc.Domain.Quotes;

/// <summary>
/// The published rates of one currency, ordered by effective date. The rate in force on day D is the last
/// rate with <c>EffectiveDate ≤ D</c> (CBR Instruction 5428-U; tax-rules R2.7).
/// </summary>
/// <remarks>
/// A series may have holes (rates that were never loaded). A rate is taken to cover the days after it only
/// while the distance to the next known rate is less than <see cref="MaxGapDays"/> — longer than any CBR
/// holiday block — and never past <see cref="KnownThrough"/>. A rate followed by a longer hole covers only
/// its own effective date: the rate in force after it is unknown, and the lookup says so instead of
/// reusing a stale rate.
/// </remarks>
public sealed class CbrRateSeries
{
    /// <summary>Longest run of days one rate may cover (the New-Year block is 10–11 days).</summary>
    public const int MaxGapDays = 16;

    private readonly CbrRate[] _rates;

    public CbrRateSeries(string currency, IEnumerable<CbrRate> rates, DateOnly? knownThrough = null)
    {
        Currency = currency;
        _rates = rates.OrderBy(r => r.EffectiveDate).ToArray();
        for (int i = 1; i < _rates.Length; i++)
        {
            if (_rates[i].EffectiveDate == _rates[i - 1].EffectiveDate)
            {
                throw new ArgumentException($"two {currency} rates for {_rates[i].EffectiveDate:yyyy-MM-dd}", nameof(rates));
            }
        }

        KnownThrough = knownThrough ?? (_rates.Length == 0 ? DateOnly.MinValue : _rates[^1].EffectiveDate);
    }

    public string Currency { get; }

    /// <summary>Last day for which the set of published rates is known to be complete.</summary>
    public DateOnly KnownThrough { get; }

    public IReadOnlyList<CbrRate> Rates => _rates;

    /// <summary>The rate in force on <paramref name="date"/>, or an error saying why there is none.</summary>
    public CbrRate? InForceOn(DateOnly date, out CalcError? error)
    {
        error = null;
        int lo = 0, hi = _rates.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_rates[mid].EffectiveDate <= date) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
        }

        if (found < 0)
        {
            error = CalcError.NotFound(Reasons.RateNotFound,
                $"no CBR {Currency} rate is known on or before {date:yyyy-MM-dd}", "date");
            return null;
        }

        var rate = _rates[found];
        DateOnly coverEnd = found + 1 < _rates.Length ? _rates[found + 1].EffectiveDate.AddDays(-1) : KnownThrough;
        if (coverEnd.DayNumber - rate.EffectiveDate.DayNumber >= MaxGapDays)
        {
            // a hole in the loaded data, not a holiday block: the rate is only known for its own day
            coverEnd = rate.EffectiveDate;
        }

        if (date > coverEnd)
        {
            error = CalcError.NotFound(Reasons.RateNotFound,
                $"the CBR {Currency} rate in force on {date:yyyy-MM-dd} is not known (last known rate took effect {rate.EffectiveDate:yyyy-MM-dd})",
                "date");
            return null;
        }

        return rate;
    }
}
