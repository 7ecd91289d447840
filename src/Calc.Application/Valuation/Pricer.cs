using Calc.Application.MarketData;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Valuation;

/// <summary>How a close in the pair's quote currency became roubles.</summary>
public static class Conversions
{
    public const string CbrRate = "CBR_RATE";
    public const string RubNoConversion = "RUB_NO_CONVERSION";
    public const string UsdtAsUsd = "USDT_AS_USD";
}

/// <summary>
/// A venue close converted to roubles: <see cref="PriceRub"/> = close × the CBR unit rate in force on the
/// trading day, full precision. <see cref="Rate"/> is null when the pair is quoted in RUB.
/// </summary>
public sealed record PricedClose(string Asset, DateOnly Date, CloseQuote Close, CbrRateQuote? Rate, string RateCurrency, string Conversion, decimal PriceRub)
{
    public bool IsFinal => Close.Close.IsFinal && (Rate?.IsFinal ?? true);

    public decimal UnitRate => Rate?.Rate.UnitRate ?? 1m;
}

/// <summary>Key of one pricing: what to price, where, for which trading day.</summary>
public readonly record struct PriceKey(string Venue, AssetPair Pair, DateOnly Date);

/// <summary>
/// Prices assets as the law values them (art. 282.3 quote × CBR rate in force, tax-rules R2.2–R2.7): the
/// close of the trading day on the policy's venue and pair, converted at the rate in force that day.
/// Batches look each distinct (venue, pair, day) and (currency, day) up once.
/// </summary>
public sealed class Pricer(IMarketData market)
{
    /// <summary>Prices one key. A missing or not-final value is an error with a reason, never a default.</summary>
    public async ValueTask<Lookup<PricedClose>> PriceAsync(PriceKey key, ResolvedPolicy policy, CancellationToken cancellationToken)
    {
        var results = new Lookup<PricedClose>[1];
        await PriceManyAsync([key], policy, results, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>results[i] prices keys[i]; each distinct key is looked up once, in two batch calls.</summary>
    public async ValueTask PriceManyAsync(IReadOnlyList<PriceKey> keys, ResolvedPolicy policy, Lookup<PricedClose>[] results, CancellationToken cancellationToken)
    {
        if (keys.Count == 1)
        {
            // a unary quote: no de-duplication tables (a third of the call's allocations otherwise)
            results[0] = await PriceOneAsync(keys[0], policy, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (UnknownVenues(keys) is { } unknown)
        {
            // a venue Calc does not know fails its items alone (quotes and collateral name their own venue)
            await PriceKnownAsync(keys, policy, results, unknown, cancellationToken).ConfigureAwait(false);
            return;
        }

        // sized for all-distinct keys (a session's are): no rehash garbage per batch
        var distinct = new Dictionary<PriceKey, int>(keys.Count);
        var closeKeys = new List<CloseKey>(keys.Count);
        foreach (var key in keys)
        {
            if (!distinct.ContainsKey(key))
            {
                distinct[key] = closeKeys.Count;
                closeKeys.Add(new CloseKey(key.Venue, key.Pair, key.Date));
            }
        }

        var closes = new Lookup<CloseQuote>[closeKeys.Count];
        await market.GetClosesAsync(closeKeys, closes, cancellationToken).ConfigureAwait(false);

        // conversion currency per distinct key; rates looked up once per (currency, day)
        var conversion = new (string Currency, string Kind, CalcError? Error)[closeKeys.Count];
        var rateIndex = new Dictionary<CbrRateKey, int>(closeKeys.Count);
        var rateKeys = new List<CbrRateKey>(closeKeys.Count);
        for (int i = 0; i < closeKeys.Count; i++)
        {
            conversion[i] = ConversionFor(closeKeys[i].Pair.Quote, policy);
            if (closes[i].Ok && conversion[i].Error is null && conversion[i].Currency.Length > 0)
            {
                var rk = new CbrRateKey(conversion[i].Currency, closeKeys[i].Date);
                if (!rateIndex.ContainsKey(rk))
                {
                    rateIndex[rk] = rateKeys.Count;
                    rateKeys.Add(rk);
                }
            }
        }

        var rates = new Lookup<CbrRateQuote>[rateKeys.Count];
        if (rateKeys.Count > 0)
        {
            await market.GetCbrRatesAsync(rateKeys, rates, cancellationToken).ConfigureAwait(false);
        }

        var priced = new Lookup<PricedClose>[closeKeys.Count];
        IReadOnlyList<VenueInfo>? held = null;
        for (int i = 0; i < closeKeys.Count; i++)
        {
            var rate = closes[i].Ok && conversion[i].Error is null && conversion[i].Currency.Length > 0
                ? rates[rateIndex[new CbrRateKey(conversion[i].Currency, closeKeys[i].Date)]]
                : default;
            priced[i] = Explain(closeKeys[i], Combine(closeKeys[i], closes[i], conversion[i], rate, policy), ref held);
        }

        for (int i = 0; i < keys.Count; i++)
        {
            results[i] = priced[distinct[keys[i]]];
        }
    }

    /// <summary>UNKNOWN_VENUE (naming the known venues) for a venue Calc has no client for and holds no closes of; else null.</summary>
    public CalcError? CheckVenue(string venue, string field) => KnownVenues.Check(venue, market, field);

    /// <summary>The unknown venues among the keys' (usually none: one dictionary-free pass over known ids).</summary>
    private Dictionary<string, CalcError>? UnknownVenues(IReadOnlyList<PriceKey> keys)
    {
        Dictionary<string, CalcError>? unknown = null;
        string? lastKnown = null;
        foreach (var key in keys)
        {
            if (ReferenceEquals(key.Venue, lastKnown) || string.Equals(key.Venue, lastKnown, StringComparison.Ordinal)
                || (unknown?.ContainsKey(key.Venue) ?? false))
            {
                continue;
            }

            if (CheckVenue(key.Venue, "venue") is { } error)
            {
                (unknown ??= new Dictionary<string, CalcError>(StringComparer.Ordinal))[key.Venue] = error;
            }
            else
            {
                lastKnown = key.Venue;
            }
        }

        return unknown;
    }

    private async ValueTask PriceKnownAsync(IReadOnlyList<PriceKey> keys, ResolvedPolicy policy, Lookup<PricedClose>[] results,
        Dictionary<string, CalcError> unknown, CancellationToken cancellationToken)
    {
        var known = new List<int>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            if (unknown.TryGetValue(keys[i].Venue, out var error))
            {
                results[i] = Lookup<PricedClose>.Failed(error);
            }
            else
            {
                known.Add(i);
            }
        }

        if (known.Count == 0)
        {
            return;
        }

        var prices = new Lookup<PricedClose>[known.Count];
        await PriceManyAsync(known.Select(i => keys[i]).ToArray(), policy, prices, cancellationToken).ConfigureAwait(false);
        for (int k = 0; k < known.Count; k++)
        {
            results[known[k]] = prices[k];
        }
    }

    /// <summary>
    /// A close not held for a pair of which no close is held at all on a venue without an upstream: the asset (or
    /// pair) is what is missing, not the day, so the error names the field asset and the pairs that are held.
    /// </summary>
    private Lookup<PricedClose> Explain(CloseKey key, Lookup<PricedClose> result, ref IReadOnlyList<VenueInfo>? held)
    {
        if (result.Error is not { Reason: Reasons.PriceNotFound, Field: "date" } error
            || (market is TieredMarketData tiered && tiered.UpstreamVenues.Contains(key.Venue)))
        {
            return result;
        }

        held ??= market.ListVenues();
        var pairs = held.FirstOrDefault(v => string.Equals(v.Venue, key.Venue, StringComparison.Ordinal))?.Pairs ?? [];
        if (pairs.Any(p => p.Pair == key.Pair))
        {
            return result;
        }

        string list = pairs.Count == 0 ? "none" : string.Join(", ", pairs.Select(p => p.Pair.ToString()));
        return Lookup<PricedClose>.Failed(error with
        {
            Field = "asset",
            Message = $"no {key.Venue} {key.Pair} closes are held for any day and no upstream is configured for venue '{key.Venue}' "
                + $"(pairs held on {key.Venue}: {list}); choose another asset, venue or quote currency, or import its closes",
        });
    }

    private async ValueTask<Lookup<PricedClose>> PriceOneAsync(PriceKey key, ResolvedPolicy policy, CancellationToken cancellationToken)
    {
        if (CheckVenue(key.Venue, "venue") is { } venueError)
        {
            return Lookup<PricedClose>.Failed(venueError);
        }

        var closeKey = new CloseKey(key.Venue, key.Pair, key.Date);
        var closes = new Lookup<CloseQuote>[1];
        await market.GetClosesAsync([closeKey], closes, cancellationToken).ConfigureAwait(false);
        var conversion = ConversionFor(key.Pair.Quote, policy);
        Lookup<CbrRateQuote> rate = default;
        if (closes[0].Ok && conversion.Error is null && conversion.Currency.Length > 0)
        {
            var rates = new Lookup<CbrRateQuote>[1];
            await market.GetCbrRatesAsync([new CbrRateKey(conversion.Currency, key.Date)], rates, cancellationToken).ConfigureAwait(false);
            rate = rates[0];
        }

        IReadOnlyList<VenueInfo>? held = null;
        return Explain(closeKey, Combine(closeKey, closes[0], conversion, rate, policy), ref held);
    }

    /// <param name="rateLookup">The CBR rate of the conversion currency on the key's day (unused when no conversion applies).</param>
    private static Lookup<PricedClose> Combine(CloseKey key, Lookup<CloseQuote> close, (string Currency, string Kind, CalcError? Error) conversion,
        Lookup<CbrRateQuote> rateLookup, ResolvedPolicy policy)
    {
        if (close.Value is not { } closeQuote)
        {
            return Lookup<PricedClose>.Failed(close.Error!);
        }

        if (conversion.Error is not null)
        {
            return Lookup<PricedClose>.Failed(conversion.Error);
        }

        CbrRateQuote? rate = null;
        decimal unitRate = 1m;
        if (conversion.Currency.Length > 0)
        {
            if (rateLookup.Value is null)
            {
                return Lookup<PricedClose>.Failed(rateLookup.Error!);
            }

            rate = rateLookup.Value;
            unitRate = rate.Rate.UnitRate;
        }

        var priced = new PricedClose(key.Pair.Base, key.Date, closeQuote, rate, conversion.Currency, conversion.Kind, closeQuote.Close.Close * unitRate);
        if (!priced.IsFinal && !policy.AllowProvisional)
        {
            string what = closeQuote.Close.IsFinal ? $"the CBR {conversion.Currency} rate for {key.Date:yyyy-MM-dd} is not yet published" : $"the {key.Venue} {key.Pair} day {key.Date:yyyy-MM-dd} has not closed";
            return Lookup<PricedClose>.Failed(CalcError.Precondition(Reasons.PriceNotFinal,
                $"{what}; the value is provisional (set allow_provisional to accept it)", "date"));
        }

        return Lookup<PricedClose>.Found(priced);
    }

    private static (string Currency, string Kind, CalcError? Error) ConversionFor(string quoteCurrency, ResolvedPolicy policy)
    {
        string? currency = policy.Domain.CbrCurrencyFor(quoteCurrency);
        return (quoteCurrency, currency) switch
        {
            ("RUB", _) => ("", Conversions.RubNoConversion, null),
            ("USDT", null) => ("", "", CalcError.Precondition(Reasons.UsdtNotConvertible,
                "USDT has no CBR rate and the policy rejects USDT valuations; choose a USD or EUR pair or usdt_policy TREAT_AS_USD (tax-rules R2.9)", "policy.usdt_policy")),
            ("USDT", _) => (currency, Conversions.UsdtAsUsd, null),
            _ => (currency ?? quoteCurrency, Conversions.CbrRate, null),
        };
    }
}
