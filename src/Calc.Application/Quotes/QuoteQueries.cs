using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Application.Validation;
using Calc.Application.Valuation;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Quotes;

/// <summary>One (currency, day) of a rate listing without a known rate.</summary>
public sealed record MissingRate(string Currency, DateOnly Date, CalcError Error);

/// <summary>Rate listing for a period: the known rates and the days without one.</summary>
public sealed record RateListing(IReadOnlyList<(string Currency, CbrRateQuote Quote)> Rates, IReadOnlyList<MissingRate> Missing);

/// <summary>GetQuote as sent: "" = the server default for venue and quote currency.</summary>
public sealed record QuoteRequest(string Asset, string QuoteCurrency, string Venue, string Date, bool AllowProvisional);

/// <summary>Read use cases over venue closes and CBR rates: validation first, then the market-data tiers.</summary>
public sealed class QuoteQueries(IMarketData market, Pricer pricer, ValuationOptions options)
{
    public int MaxBatchItems => options.MaxBatchItems;

    /// <summary>One close priced in roubles, or the reason there is none.</summary>
    public async ValueTask<Lookup<PricedClose>> GetQuoteAsync(QuoteRequest request, CancellationToken cancellationToken)
    {
        var results = new Lookup<PricedClose>[1];
        await GetQuotesAsync([request], results, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>results[i] answers requests[i]; invalid items fail alone. The batch size is checked by the caller.</summary>
    public async ValueTask GetQuotesAsync(IReadOnlyList<QuoteRequest> requests, Lookup<PricedClose>[] results, CancellationToken cancellationToken)
    {
        // every item may name its own venue/pair; finality is checked per item, so price with provisional allowed
        var keys = new List<PriceKey>(requests.Count);
        var keyOf = new int[requests.Count];
        ResolvedPolicy? basePolicy = null;
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            keyOf[i] = -1;
            ResolvedPolicy policy;
            try
            {
                policy = ResolvedPolicy.Resolve(new PolicyInput(r.Venue, r.QuoteCurrency, null, true, null), options, "");
            }
            catch (CalcException e)
            {
                results[i] = Lookup<PricedClose>.Failed(e.Error with { Field = e.Error.Field.TrimStart('.') });
                continue;
            }

            DateOnly date = default;
            var error = Inputs.AssetCode(r.Asset, "asset") ?? Inputs.Date(r.Date, "date", out date);
            if (error is not null)
            {
                results[i] = Lookup<PricedClose>.Failed(error);
                continue;
            }

            basePolicy ??= policy;
            keyOf[i] = keys.Count;
            keys.Add(new PriceKey(policy.Venue, new AssetPair(r.Asset, policy.QuoteCurrency), date));
        }

        if (basePolicy is null)
        {
            return;
        }

        var prices = new Lookup<PricedClose>[keys.Count];
        await pricer.PriceManyAsync(keys, basePolicy, prices, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < requests.Count; i++)
        {
            if (keyOf[i] < 0)
            {
                continue;
            }

            var price = prices[keyOf[i]];
            results[i] = price.Value is { IsFinal: false } priced && !requests[i].AllowProvisional
                ? Lookup<PricedClose>.Failed(CalcError.Precondition(Reasons.PriceNotFinal,
                    $"the {priced.Close.Close.Venue} {priced.Close.Close.Pair} value for {priced.Date:yyyy-MM-dd} is provisional (day not closed or CBR rate not yet published); set allow_provisional to accept it", "date"))
                : price;
        }
    }

    /// <summary>Venues with their pairs and spans, from the market-data tiers.</summary>
    public IReadOnlyList<VenueInfo> ListVenues() => market.ListVenues();

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
