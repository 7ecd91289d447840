namespace Calc.Domain.Errors;

/// <summary>
/// Stable reason tokens (UPPER_SNAKE). Clients branch on these, so a token is never renamed once released;
/// add new ones instead.
/// </summary>
public static class Reasons
{
    public const string InvalidDecimal = "INVALID_DECIMAL";
    public const string InvalidDate = "INVALID_DATE";
    public const string InvalidTimestamp = "INVALID_TIMESTAMP";
    public const string InvalidTimeZone = "INVALID_TIME_ZONE";
    public const string InvalidCurrency = "INVALID_CURRENCY";
    public const string InvalidAmount = "INVALID_AMOUNT";
    public const string InvalidEnum = "INVALID_ENUM";
    public const string MissingField = "MISSING_FIELD";
    public const string UnknownAsset = "UNKNOWN_ASSET";
    public const string UnknownVenue = "UNKNOWN_VENUE";

    /// <summary>Warning, not an error: the venue valued on is not on the FNS list of foreign trade organisers.</summary>
    public const string VenueNotFnsListed = "VENUE_NOT_FNS_LISTED";
    public const string UnknownPair = "UNKNOWN_PAIR";
    public const string UnknownCurrency = "UNKNOWN_CURRENCY";
    public const string DateOutOfRange = "DATE_OUT_OF_RANGE";
    public const string PriceNotFound = "PRICE_NOT_FOUND";
    public const string PriceNotFinal = "PRICE_NOT_FINAL";
    public const string RateNotFound = "RATE_NOT_FOUND";
    public const string RateNotPublished = "RATE_NOT_PUBLISHED";

    // imported market data (Calc.Application.Imports.ImportRules)
    public const string DateInFuture = "DATE_IN_FUTURE";
    public const string DateTooEarly = "DATE_TOO_EARLY";
    public const string InvalidNominal = "INVALID_NOMINAL";
    public const string RubImplicit = "RUB_IMPLICIT";
    public const string NoRuleInForce = "NO_RULE_IN_FORCE";
    public const string ConflictingValue = "CONFLICTING_VALUE";
    public const string DuplicateId = "DUPLICATE_ID";
    public const string TooManyItems = "TOO_MANY_ITEMS";
    public const string EmptyBatch = "EMPTY_BATCH";
    public const string UpstreamUnavailable = "UPSTREAM_UNAVAILABLE";
    public const string UpstreamInvalidResponse = "UPSTREAM_INVALID_RESPONSE";
    public const string CalendarOutOfRange = "CALENDAR_OUT_OF_RANGE";
    public const string Internal = "INTERNAL";

    // tax domain
    public const string UnsupportedTaxYear = "UNSUPPORTED_TAX_YEAR";
    public const string NegativeAmount = "NEGATIVE_AMOUNT";
    public const string InvalidRate = "INVALID_RATE";
    public const string MissingLegalBasis = "MISSING_LEGAL_BASIS";
    public const string MissingQuote = "MISSING_QUOTE";
    public const string InsufficientLots = "INSUFFICIENT_LOTS";
    public const string SaleOutsidePeriod = "SALE_OUTSIDE_PERIOD";
    public const string CloseDateMismatch = "CLOSE_DATE_MISMATCH";
    public const string PairMismatch = "PAIR_MISMATCH";
    public const string RateCurrencyMismatch = "RATE_CURRENCY_MISMATCH";
    public const string UsdtNotConvertible = "USDT_NOT_CONVERTIBLE";
    public const string InvalidField = "INVALID_FIELD";
    public const string UnsupportedQuoteCurrency = "UNSUPPORTED_QUOTE_CURRENCY";
    public const string InvalidThreshold = "INVALID_THRESHOLD";
    public const string UnknownRegion = "UNKNOWN_REGION";

    // compliance findings
    public const string RegistrationRequired = "REGISTRATION_REQUIRED";
    public const string BannedTaxRegime = "BANNED_TAX_REGIME";
    public const string RestrictedTerritory = "RESTRICTED_TERRITORY";
    public const string RestrictedSeason = "RESTRICTED_SEASON";
    public const string PossiblyRestrictedTerritory = "POSSIBLY_RESTRICTED_TERRITORY";
}
