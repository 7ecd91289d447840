using System.Collections.Frozen;
using System.Globalization;
using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Quotes;

namespace Calc.Application.Imports;

/// <summary>The names a close row's fields have where it came from (the API's message fields, the file's columns).</summary>
public sealed record CloseFields(string Venue, string Base, string Quote, string Date, string Close)
{
    /// <summary><c>ClosingPrice</c> fields, which are also the columns of <c>closes.csv</c>.</summary>
    public static CloseFields Api { get; } = new("venue", "base", "quote", "date", "close");
}

/// <summary>The names a CBR rate row's fields have where it came from.</summary>
public sealed record RateFields(string Currency, string Date, string Nominal, string Value)
{
    /// <summary><c>CbrRateRow</c> fields.</summary>
    public static RateFields Api { get; } = new("currency", "effective_date", "nominal", "value");

    /// <summary>Columns of <c>cbr-rates.csv</c>.</summary>
    public static RateFields Csv { get; } = new("char_code", "date", "nominal", "value");
}

/// <summary>
/// The one validation of imported market data, used by the import methods (<see cref="ImportCommands"/>) and the
/// files read at startup and by the CLI (<see cref="MarketDataCsv"/>). A row is taken only when every field is
/// sane; otherwise the first problem is returned with its field and a reason token:
/// <list type="bullet">
/// <item>closes: the venue is one Calc knows or the operator declared (<see cref="VenueRegistry"/>,
/// UNKNOWN_VENUE); base and quote are asset codes (UNKNOWN_ASSET); the trading day is over
/// (<c>PRICE_NOT_FINAL</c>: a day that has not closed yet on the injected clock, in the venue's day convention) and
/// not before the venue's first trading year (<c>DATE_TOO_EARLY</c>; the first Bitcoin block, 03.01.2009, for a
/// declared venue); the close is a positive decimal (<c>INVALID_DECIMAL</c>, <c>INVALID_AMOUNT</c>) of at most
/// <see cref="MaxCloseScale"/> decimal places, below <see cref="CloseCeiling"/>;</item>
/// <item>CBR rates: the currency is an ISO 4217 code the CBR sets a rate for (<see cref="CbrCurrencies.Published"/>:
/// <c>INVALID_CURRENCY</c> for a malformed code, <c>RUB_IMPLICIT</c> for the rouble, whose rate is 1,
/// <c>UNKNOWN_CURRENCY</c> for XXX and other codes); the effective date is not after today in Moscow
/// (<c>DATE_IN_FUTURE</c>) nor before 01.07.1992, the first official CBR rate (<c>DATE_TOO_EARLY</c>); the
/// nominal is one the CBR uses (<see cref="CbrNominals"/>; <c>INVALID_AMOUNT</c> when not a positive integer,
/// <c>INVALID_NOMINAL</c> otherwise); the value is a positive decimal of at most <see cref="MaxRateScale"/> decimal
/// places below <see cref="RateCeiling"/>.</item>
/// </list>
/// </summary>
public sealed class ImportRules
{
    /// <summary>The first official rouble rate the CBR set (01.07.1992): no CBR rate is older.</summary>
    public static readonly DateOnly FirstCbrRate = new(1992, 7, 1);

    /// <summary>Units a CBR rate is quoted per: the CBR uses powers of ten from 1 to 1,000,000 (JPY 100, KRW 1,000, VND 10,000, IRR 1,000,000 in its daily set).</summary>
    public static readonly FrozenSet<int> CbrNominals = new[] { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000 }.ToFrozenSet();

    /// <summary>Most decimal places of a close (venues quote small coins to 8–12 places).</summary>
    public const int MaxCloseScale = 18;

    /// <summary>Most decimal places of a CBR rate value (the CBR publishes 4).</summary>
    public const int MaxRateScale = 8;

    /// <summary>A close at or above 10^12 is refused: far beyond any coin in any quote currency, and products with it could overflow.</summary>
    public static readonly decimal CloseCeiling = 1_000_000_000_000m;

    /// <summary>A CBR rate value at or above 10^6 roubles per nominal is refused (the highest ever set were a few thousand).</summary>
    public static readonly decimal RateCeiling = 1_000_000m;

    private readonly TimeProvider _clock;
    private readonly VenueRegistry _venues;

    public ImportRules(TimeProvider clock, VenueRegistry venues)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(venues);
        _clock = clock;
        _venues = venues;
    }

    /// <summary>Null and the close when the row is sane; else the error of its first bad field.</summary>
    public CalcError? Close(string? venue, string? baseCode, string? quote, string? date, string? close, CloseFields fields, out DailyClose? value)
    {
        ArgumentNullException.ThrowIfNull(fields);
        value = null;
        DateOnly day = default;
        decimal price = 0m;
        var error = Venue(venue, fields.Venue)
            ?? Inputs.AssetCode(baseCode, fields.Base)
            ?? Inputs.AssetCode(quote, fields.Quote)
            ?? Inputs.Date(date, fields.Date, out day)
            ?? CloseDay(venue!, day, fields.Date)
            ?? Inputs.Decimal(close, fields.Close, out price)
            ?? Inputs.Positive(price, fields.Close)
            ?? Sane(price, fields.Close, MaxCloseScale, CloseCeiling);
        if (error is null)
        {
            value = new DailyClose(venue!, new AssetPair(baseCode!, quote!), day, price, IsFinal: true);
        }

        return error;
    }

    /// <summary>Null and the rate when the row is sane; else the error of its first bad field.</summary>
    public CalcError? Rate(string? currency, string? effectiveDate, long nominal, string? value, RateFields fields, out CbrRate? rate)
    {
        ArgumentNullException.ThrowIfNull(fields);
        rate = null;
        DateOnly day = default;
        decimal amount = 0m;
        var error = Currency(currency, fields.Currency)
            ?? Inputs.Date(effectiveDate, fields.Date, out day)
            ?? EffectiveDay(day, fields.Date)
            ?? Nominal(nominal, fields.Nominal)
            ?? Inputs.Decimal(value, fields.Value, out amount)
            ?? Inputs.Positive(amount, fields.Value)
            ?? Sane(amount, fields.Value, MaxRateScale, RateCeiling);
        if (error is null)
        {
            rate = new CbrRate(currency!, day, (int)nominal, amount);
        }

        return error;
    }

    /// <summary>A nominal written as text (a file's column): an integer, then <see cref="Rate"/>'s nominal rule.</summary>
    public static CalcError? NominalText(string? text, string field, out long nominal)
    {
        nominal = 0;
        if (string.IsNullOrEmpty(text))
        {
            return CalcError.Invalid(Reasons.MissingField, field, $"{field} is required (the CBR's units per rate, e.g. 1 or 100)");
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out nominal)
            ? null
            : CalcError.Invalid(Reasons.InvalidAmount, field, $"{field} '{Inputs.Echo(text)}' is not an integer");
    }

    private CalcError? Venue(string? venue, string field)
    {
        if (string.IsNullOrEmpty(venue))
        {
            return CalcError.Invalid(Reasons.MissingField, field, $"{field} is required (a venue id such as binance)");
        }

        if (_venues.IsDeclared(venue))
        {
            return null;
        }

        string known = string.Join(", ", _venues.All.Order(StringComparer.Ordinal));
        return CalcError.Invalid(Reasons.UnknownVenue, field, Valuation.ResolvedPolicy.IsVenueId(venue)
            ? $"{field} '{venue}' is not a venue Calc knows: known venues are {known}; another venue is declared by the operator in {VenueRegistry.ExtraVenuesKey}"
            : $"{field} '{Inputs.Echo(venue)}' is not a venue id (lower-case letters, digits, '-'): known venues are {known}");
    }

    private CalcError? CloseDay(string venue, DateOnly day, string field)
    {
        var floor = VenueRegistry.FirstDay(venue);
        if (day < floor)
        {
            return CalcError.Invalid(Reasons.DateTooEarly, field, FloorMessage(venue, day, floor));
        }

        var closesAt = VenueDays.Start(venue, day.AddDays(1));
        var now = _clock.GetUtcNow();
        return closesAt <= now ? null : CalcError.Precondition(Reasons.PriceNotFinal,
            $"the {venue} trading day {day:yyyy-MM-dd} ({VenueDays.Convention(venue)}) has not closed yet: it closes at {closesAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} "
            + $"and it is {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}; only final closes are imported", field);
    }

    private static string FloorMessage(string venue, DateOnly day, DateOnly floor) =>
        Valuation.KnownVenues.FirstTradingYear.ContainsKey(venue)
            ? $"{venue} close dated {day:yyyy-MM-dd} is before {floor:yyyy-MM-dd}: {venue} began trading in {floor.Year}"
            : $"{venue} close dated {day:yyyy-MM-dd} is before {floor:yyyy-MM-dd}, the first Bitcoin block: no coin traded before it";

    private CalcError? EffectiveDay(DateOnly day, string field)
    {
        if (day < FirstCbrRate)
        {
            return CalcError.Invalid(Reasons.DateTooEarly, field,
                $"{field} {day:yyyy-MM-dd} is before {FirstCbrRate:yyyy-MM-dd}, the first official rouble rate the CBR set");
        }

        var today = MarketClock.TodayMoscow(_clock);
        return day <= today ? null : CalcError.Invalid(Reasons.DateInFuture, field,
            $"{field} {day:yyyy-MM-dd} is after today in Moscow ({today:yyyy-MM-dd}): a rate is imported from the day it takes effect "
            + "(the CBR sets the next day's rate in the afternoon; an enabled CBR upstream serves it meanwhile as not final)");
    }

    private static CalcError? Currency(string? code, string field)
    {
        if (Inputs.Currency(code, field) is { } malformed)
        {
            return malformed;
        }

        if (code == TieredMarketData.Rouble)
        {
            return CalcError.Invalid(Reasons.RubImplicit, field,
                $"{field} RUB is the rouble itself: its rate is 1 by definition and is never imported");
        }

        return CbrCurrencies.Published.Contains(code!) ? null : CalcError.Invalid(Reasons.UnknownCurrency, field,
            $"{field} '{code}' is not a currency the CBR sets a rouble rate for (ISO 4217 codes such as USD, EUR, CNY, JPY)");
    }

    private static CalcError? Nominal(long nominal, string field)
    {
        if (nominal <= 0)
        {
            return CalcError.Invalid(Reasons.InvalidAmount, field, $"{field} must be a positive integer (got {nominal.ToString(CultureInfo.InvariantCulture)})");
        }

        return nominal <= int.MaxValue && CbrNominals.Contains((int)nominal) ? null : CalcError.Invalid(Reasons.InvalidNominal, field,
            $"{field} {nominal.ToString(CultureInfo.InvariantCulture)} is not a nominal the CBR uses: one of {string.Join(", ", CbrNominals.Order())}");
    }

    private static CalcError? Sane(decimal value, string field, int maxScale, decimal ceiling)
    {
        if (value.Scale > maxScale)
        {
            return CalcError.Invalid(Reasons.InvalidDecimal, field,
                $"{field} {DecimalText.Format(value)} has {value.Scale} decimal places; at most {maxScale} are accepted");
        }

        return value < ceiling ? null : CalcError.Invalid(Reasons.InvalidAmount, field,
            $"{field} {DecimalText.Format(value)} is not below {DecimalText.Format(ceiling)}, the highest value accepted");
    }
}
