using Calc.Domain.Quotes;

namespace Calc.Application.Ports;

/// <summary>The Bank of Russia as a source of official rates.</summary>
public interface ICbrRateSource
{
    /// <summary>
    /// Every rate of <paramref name="currency"/> that took effect in [from, to] (both inclusive), ordered by
    /// effective date. Callers that need the rate in force on <c>from</c> start the range early enough.
    /// Throws <see cref="UpstreamException"/> when the source fails or answers garbage.
    /// </summary>
    Task<IReadOnlyList<CbrRate>> GetRatesAsync(string currency, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>One exchange as a source of daily closes (UTC trading days).</summary>
public interface IExchangeCloseSource
{
    /// <summary>Lower-case venue id, e.g. <c>binance</c>.</summary>
    string Venue { get; }

    /// <summary>
    /// Daily closes of <paramref name="pair"/> for the UTC days in [from, to], oldest first. The current,
    /// still-open UTC day is returned with <c>IsFinal = false</c> or not at all; days without trades are absent.
    /// Throws <see cref="UpstreamException"/> when the source fails or answers garbage.
    /// </summary>
    Task<IReadOnlyList<DailyClose>> GetClosesAsync(AssetPair pair, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>An upstream failure; <see cref="Reason"/> is a stable token (UPSTREAM_UNAVAILABLE, UPSTREAM_INVALID_RESPONSE…).</summary>
public sealed class UpstreamException : Exception
{
    public UpstreamException(string source, string reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Source = source;
        Reason = reason;
    }

    public UpstreamException() : this("unknown", "UPSTREAM_UNAVAILABLE", "upstream failed") { }

    public UpstreamException(string message) : this("unknown", "UPSTREAM_UNAVAILABLE", message) { }

    public UpstreamException(string message, Exception innerException) : this("unknown", "UPSTREAM_UNAVAILABLE", message, innerException) { }

    public new string Source { get; }

    public string Reason { get; }

    /// <summary>Suggested wait before retrying (e.g. from Retry-After), when the upstream gave one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
