using System.Globalization;
using System.Text;
using Calc.Application.Ports;
using Calc.Domain.Dates;
using Calc.Domain.Money;
using Calc.Domain.Quotes;

namespace Calc.Adapters.Redis.Cache;

/// <summary>
/// The one place that knows how quotes look in Redis: key names, value encoding and time to live. Every
/// reader and writer (<see cref="RedisQuoteCache"/>, the load tests) goes through it so all read and write
/// the same bytes.
/// </summary>
/// <remarks>
/// <para><b>Keys.</b> <c>calc:v1:close:{venue:BASE-QUOTE}:yyyy-MM-dd</c> holds one venue close;
/// <c>calc:v1:cbr:{CUR}:yyyy-MM-dd</c> holds the CBR rate in force on that date. <c>v1</c> is the schema
/// version: a change of encoding bumps it, so old and new replicas never misread each other's values
/// (old keys simply expire). Key parts are limited to <c>[A-Za-z0-9._-]</c>; a key that cannot be
/// written safely is not cached at all.</para>
/// <para><b>Hash tags (Redis Cluster).</b> The part in braces is the cluster hash tag: only it decides the
/// slot. All dates of one series (venue + pair, or one currency) therefore live in one slot, so one
/// <c>MGET</c> per series is legal on a cluster (no CROSSSLOT error), and a month-end batch becomes a few
/// MGETs — one per series touched — sent back to back in one round trip. The cost is that a series cannot
/// be spread over nodes; a series is a few thousand short strings (tens of kilobytes), so that is harmless,
/// while per-key slots would turn a batch of hundreds of keys into hundreds of commands.</para>
/// <para><b>Values.</b> Invariant decimal strings exactly as <see cref="DecimalText"/> writes them (the
/// scale is kept: <c>92.2628</c> stays <c>92.2628</c>). A close is its close price. A CBR entry is
/// <c>effective-date|nominal|value</c>, e.g. <c>2024-03-30|1|92.3660</c>, because the rate in force on a
/// Sunday took effect on the Saturday and the caller needs that date and the nominal (JPY is per 100).
/// Anything that does not decode is treated as a miss.</para>
/// <para><b>TTL policy.</b> Only final values are written. A settled value — a close for a UTC day before
/// yesterday, the CBR rate in force on a date before yesterday in Moscow — never changes and is kept
/// <see cref="SettledTtl"/> (400 days: a full tax year plus the declaration season, so annual runs start
/// warm). A recent value — yesterday's close, which a venue may still amend, or the rate in force
/// yesterday, today or later (a carried-forward rate until the next publication) — is kept
/// <see cref="RecentTtl"/> (1 hour), so a correction reaches every replica soon.</para>
/// </remarks>
public static class QuoteCacheKeySchema
{
    public const string Prefix = "calc:v1:";

    public static readonly TimeSpan SettledTtl = TimeSpan.FromDays(400);

    public static readonly TimeSpan RecentTtl = TimeSpan.FromHours(1);

    /// <summary>Days back (today = 0) that still count as recent: today and yesterday.</summary>
    public const int RecentWindow = 2;

    private static readonly TimeSpan MoscowOffset = TimeSpan.FromHours(3);

    /// <summary>The key of a close, or null when a part cannot be used in a key.</summary>
    public static string? CloseKeyOf(in CloseKey key) =>
        IsKeyPart(key.Venue) && IsKeyPart(key.Pair.Base) && IsKeyPart(key.Pair.Quote)
            ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}close:{{{key.Venue}:{key.Pair.Base}-{key.Pair.Quote}}}:{key.Date:yyyy-MM-dd}")
            : null;

    /// <summary>The key of the CBR rate in force on a date, or null when the currency code cannot be used.</summary>
    public static string? CbrKeyOf(in CbrRateKey key) =>
        IsKeyPart(key.Currency)
            ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}cbr:{{{key.Currency}}}:{key.Date:yyyy-MM-dd}")
            : null;

    /// <summary>The cluster hash tag of a key (the text between the first braces), used to group a batch.</summary>
    public static string HashTagOf(string key)
    {
        int open = key.IndexOf('{', StringComparison.Ordinal);
        int close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : key;
    }

    public static string EncodeClose(DailyClose close)
    {
        ArgumentNullException.ThrowIfNull(close);
        return DecimalText.Format(close.Close);
    }

    /// <summary>Decodes a cached close for <paramref name="key"/>; null when the bytes are not a valid value.</summary>
    public static DailyClose? DecodeClose(in CloseKey key, ReadOnlySpan<byte> value)
    {
        if (value.Length > DecimalText.MaxLength)
        {
            return null;
        }

        Span<char> text = stackalloc char[value.Length];
        return Ascii.ToUtf16(value, text, out int n) == System.Buffers.OperationStatus.Done
            && DecimalText.TryParse(text[..n], out decimal close) && close > 0
            ? new DailyClose(key.Venue, key.Pair, key.Date, close, IsFinal: true)
            : null;
    }

    public static string EncodeCbr(CbrRate rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        return string.Create(CultureInfo.InvariantCulture,
            $"{rate.EffectiveDate:yyyy-MM-dd}|{rate.Nominal}|{DecimalText.Format(rate.Value)}");
    }

    /// <summary>
    /// Decodes the rate cached for <paramref name="key"/>; null when the bytes are not a valid value or the
    /// rate took effect after the date it is cached for (it cannot be in force then).
    /// </summary>
    public static CbrRate? DecodeCbr(in CbrRateKey key, ReadOnlySpan<byte> value)
    {
        // yyyy-MM-dd|nominal|value
        if (value.Length < 14 || value.Length > 11 + 11 + DecimalText.MaxLength || value[10] != (byte)'|')
        {
            return null;
        }

        Span<char> text = stackalloc char[value.Length];
        if (Ascii.ToUtf16(value, text, out int n) != System.Buffers.OperationStatus.Done)
        {
            return null;
        }

        text = text[..n];
        int bar = text[11..].IndexOf('|');
        if (bar < 1
            || !IsoDate.TryParse(text[..10], out var effective)
            || !int.TryParse(text.Slice(11, bar), NumberStyles.None, CultureInfo.InvariantCulture, out int nominal) || nominal < 1
            || !DecimalText.TryParse(text[(12 + bar)..], out decimal rate) || rate <= 0
            || effective > key.Date)
        {
            return null;
        }

        return new CbrRate(key.Currency, effective, nominal, rate);
    }

    /// <summary>TTL of a final close: settled closes long, yesterday's short (see the policy above).</summary>
    public static TimeSpan CloseTtl(DateOnly date, DateTimeOffset now) =>
        date.DayNumber < DateOnly.FromDateTime(now.UtcDateTime).DayNumber - RecentWindow + 1 ? SettledTtl : RecentTtl;

    /// <summary>TTL of the rate in force on <paramref name="date"/>: past dates long, today and later short.</summary>
    public static TimeSpan CbrTtl(DateOnly date, DateTimeOffset now) =>
        date.DayNumber < DateOnly.FromDateTime(now.ToOffset(MoscowOffset).DateTime).DayNumber - RecentWindow + 1 ? SettledTtl : RecentTtl;

    private static bool IsKeyPart(string? part)
    {
        if (string.IsNullOrEmpty(part) || part.Length > 64)
        {
            return false;
        }

        foreach (char c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
