using System.Collections.Frozen;
using Calc.Application.Valuation;
using Microsoft.Extensions.Configuration;

namespace Calc.Application.MarketData;

/// <summary>
/// The venues closes may be imported for, looked up on and listed: those Calc has an exchange client for
/// (<see cref="KnownVenues.Supported"/>) and those the operator declares in <c>MarketData:ExtraVenues</c>
/// (venue ids, <c>;</c>- or <c>,</c>-separated, or as a list <c>MarketData__ExtraVenues__0</c>). A venue outside
/// both is refused (UNKNOWN_VENUE) by imports and lookups and never listed. A declared id that is not a venue id
/// (lower-case letters, digits, <c>-</c>, at most 32) stops startup naming it: nothing is guessed.
/// </summary>
public sealed class VenueRegistry
{
    /// <summary>The configuration key of the operator-declared venues.</summary>
    public const string ExtraVenuesKey = "MarketData:ExtraVenues";

    /// <summary>No close is older than the first Bitcoin block (03.01.2009): the floor of a declared venue.</summary>
    public static readonly DateOnly FirstBitcoinBlock = new(2009, 1, 3);

    /// <summary>The venues Calc has a client for, and no other.</summary>
    public static VenueRegistry SupportedOnly { get; } = new([]);

    public VenueRegistry(IEnumerable<string> extraVenues)
    {
        ArgumentNullException.ThrowIfNull(extraVenues);
        var extra = new List<string>();
        foreach (string venue in extraVenues)
        {
            if (!ResolvedPolicy.IsVenueId(venue))
            {
                throw new InvalidOperationException(
                    $"{ExtraVenuesKey}: '{venue}' is not a venue id (lower-case letters, digits and '-', 1 to 32 characters)");
            }

            if (!KnownVenues.Supported.Contains(venue))
            {
                extra.Add(venue);
            }
        }

        Extra = extra.ToFrozenSet(StringComparer.Ordinal);
        All = KnownVenues.Supported.Union(Extra, StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The operator-declared venues (those Calc has a client for are not repeated here).</summary>
    public FrozenSet<string> Extra { get; }

    /// <summary>Every venue Calc accepts.</summary>
    public FrozenSet<string> All { get; }

    /// <summary>The registry of the <c>MarketData</c> configuration section (<see cref="ExtraVenuesKey"/>).</summary>
    public static VenueRegistry FromConfiguration(IConfiguration marketDataSection)
    {
        ArgumentNullException.ThrowIfNull(marketDataSection);
        var key = marketDataSection.GetSection("ExtraVenues");
        IEnumerable<string?> values = key.Value is { } scalar ? [scalar] : key.GetChildren().Select(c => c.Value);
        return new VenueRegistry(values
            .SelectMany(v => (v ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    }

    public bool IsDeclared(string venue) => All.Contains(venue);

    /// <summary>
    /// The earliest trading day a close of <paramref name="venue"/> may carry: 1 January of the year the venue
    /// began trading for a venue Calc has a client for (<see cref="KnownVenues.FirstTradingYear"/>), else
    /// <see cref="FirstBitcoinBlock"/>.
    /// </summary>
    public static DateOnly FirstDay(string venue) =>
        KnownVenues.FirstTradingYear.TryGetValue(venue, out int year) ? new DateOnly(year, 1, 1) : FirstBitcoinBlock;
}
