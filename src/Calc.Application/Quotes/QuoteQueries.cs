using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Application.Validation;
using Calc.Domain.Errors;

namespace Calc.Application.Quotes;

/// <summary>One (currency, day) of a rate listing without a known rate.</summary>
public sealed record MissingRate(string Currency, DateOnly Date, CalcError Error);

/// <summary>Rate listing for a period: the known rates and the days without one.</summary>
public sealed record RateListing(IReadOnlyList<(string Currency, CbrRateQuote Quote)> Rates, IReadOnlyList<MissingRate> Missing);

/// <summary>Read use cases over CBR rates: validation first, then the market-data tiers.</summary>
public sealed class QuoteQueries(IMarketData market)
{
    /// <summary>Longest period ListCbrRates answers in one call (about ten years).</summary>
    public const int MaxListDays = 3660;

    /// <summary>Most currencies per listing.</summary>
    public const int MaxListCurrencies = 50;

    public async ValueTask<Lookup<CbrRateQuote>> GetCbrRateAsync(string currency, string date, CancellationToken cancellationToken)
    {
        DateOnly day = default;
        var error = Inputs.Currency(currency, "currency") ?? Inputs.Date(date, "date", out day);
        if (error is not null)
        {
            return Lookup<CbrRateQuote>.Failed(error);
        }

        return await market.GetCbrRateAsync(currency, day, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The rate in force on every day of [from, to] for each currency. Bad arguments fail the call
    /// (<see cref="CalcException"/>); a day without a known rate is listed as missing.
    /// </summary>
    public async ValueTask<RateListing> ListCbrRatesAsync(IReadOnlyList<string> currencies, string from, string to, CancellationToken cancellationToken)
    {
        DateOnly first = default, last = default;
        var error = Inputs.BatchSize(currencies.Count, MaxListCurrencies, "currencies")
            ?? Inputs.Date(from, "from", out first)
            ?? Inputs.Date(to, "to", out last);
        for (int i = 0; error is null && i < currencies.Count; i++)
        {
            error = Inputs.Currency(currencies[i], $"currencies[{i}]");
        }

        if (error is null && last < first)
        {
            error = CalcError.Invalid(Reasons.DateOutOfRange, "to", $"to ({to}) is before from ({from})");
        }

        if (error is null && last.DayNumber - first.DayNumber >= MaxListDays)
        {
            error = CalcError.Invalid(Reasons.DateOutOfRange, "to", $"the period {from}..{to} is longer than {MaxListDays} days");
        }

        if (error is not null)
        {
            throw new CalcException(error);
        }

        int days = last.DayNumber - first.DayNumber + 1;
        var keys = new CbrRateKey[currencies.Count * days];
        for (int c = 0; c < currencies.Count; c++)
        {
            for (int d = 0; d < days; d++)
            {
                keys[(c * days) + d] = new CbrRateKey(currencies[c], first.AddDays(d));
            }
        }

        var results = new Lookup<CbrRateQuote>[keys.Length];
        await market.GetCbrRatesAsync(keys, results, cancellationToken).ConfigureAwait(false);
        var rates = new List<(string, CbrRateQuote)>(keys.Length);
        var missing = new List<MissingRate>();
        for (int i = 0; i < keys.Length; i++)
        {
            if (results[i].Value is { } quote)
            {
                rates.Add((keys[i].Currency, quote));
            }
            else
            {
                missing.Add(new MissingRate(keys[i].Currency, keys[i].Date, results[i].Error!));
            }
        }

        return new RateListing(rates, missing);
    }
}
