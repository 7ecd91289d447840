using System.Collections.Concurrent;
using Calc.Application.Validation;
using Calc.Domain.Errors;
using Calc.Domain.Income;

namespace Calc.Application.Valuation;

/// <summary>A valuation policy as a client sent it: empty strings and null mean "server default".</summary>
public sealed record PolicyInput(string? Venue, string? QuoteCurrency, string? TimeZone, bool AllowProvisional, UsdtPolicy? Usdt);

/// <summary>
/// A validated policy with every default filled in: the venue and quote currency of the pair, and the
/// domain's valuation choices (income-date zone, USDT policy, provisional values).
/// </summary>
public sealed record ResolvedPolicy(string Venue, string QuoteCurrency, string ZoneId, ValuationPolicy Domain)
{
    public bool AllowProvisional => Domain.AllowProvisional;

    // only zones that exist are cached, so hostile ids cannot grow it
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    /// <summary>Fills defaults and validates; a bad policy fails the whole call.</summary>
    public static ResolvedPolicy Resolve(PolicyInput? input, ValuationOptions options, string fieldPrefix = "policy")
    {
        string venue = string.IsNullOrEmpty(input?.Venue) ? options.DefaultVenue : input.Venue;
        string quote = string.IsNullOrEmpty(input?.QuoteCurrency) ? options.DefaultQuoteCurrency : input.QuoteCurrency;
        string zoneId = string.IsNullOrEmpty(input?.TimeZone) ? options.DefaultTimeZone : input.TimeZone;
        if (!IsVenueId(venue))
        {
            throw new CalcException(CalcError.Invalid(Reasons.UnknownVenue, fieldPrefix + ".venue",
                IsVenueId(venue.ToLowerInvariant())
                    ? $"venue '{venue}' is not a venue id: venue ids are lower case, send '{venue.ToLowerInvariant()}'"
                    : $"venue '{Truncate(venue)}' is not a venue id (lower-case letters, digits, '-')"));
        }

        if (Inputs.AssetCode(quote, fieldPrefix + ".quote_currency") is { } quoteError)
        {
            throw new CalcException(quoteError with { Reason = Reasons.InvalidCurrency });
        }

        var zone = FindZone(zoneId) ?? throw new CalcException(CalcError.Invalid(Reasons.InvalidTimeZone, fieldPrefix + ".time_zone",
            $"time_zone '{Truncate(zoneId)}' is not an IANA zone id known to this server (e.g. Europe/Moscow)"));
        return new ResolvedPolicy(venue, quote, zoneId,
            new ValuationPolicy(zone, input?.Usdt ?? options.DefaultUsdtPolicy, input?.AllowProvisional ?? false));
    }

    private static TimeZoneInfo? FindZone(string id)
    {
        if (Zones.TryGetValue(id, out var cached))
        {
            return cached;
        }

        if (id.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return null;
        }

        return Zones.GetOrAdd(id, zone);
    }

    internal static bool IsVenueId(string s)
    {
        if (s.Length is 0 or > 32)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
