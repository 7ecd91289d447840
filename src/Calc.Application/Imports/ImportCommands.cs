using Calc.Application.MarketData;
using Calc.Application.Validation;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.Imports;

/// <summary>A daily close row as sent to ImportClosingPrices.</summary>
public readonly record struct CloseRow(string Venue, string Base, string Quote, string Date, string Close);

/// <summary>A CBR rate row as sent to ImportCbrRates.</summary>
public readonly record struct RateRow(string Currency, string EffectiveDate, int Nominal, string Value);

/// <summary>
/// The write use cases: client-supplied closes and rates, validated row by row (a bad row is rejected with
/// its index and reason, the rest are imported), idempotent, conflicts rejected unless overwrite. The values
/// the store accepted (added, unchanged, replaced) are then written through to the shared cache in the
/// background (<see cref="ImportWriteThrough"/>), so other replicas see them; a cache outage never fails an import.
/// </summary>
public sealed class ImportCommands(
    MarketDataStore store, TimeProvider clock, Valuation.ValuationOptions options, ImportWriteThrough? writeThrough = null)
{
    private const string ValidPrefix = "valid";

    public ImportReport ImportCloses(IReadOnlyList<CloseRow> rows, bool overwrite)
    {
        CheckSize(rows.Count, "prices");
        var valid = new List<DailyClose>(rows.Count);
        var validIndex = new List<int>(rows.Count);
        var rejected = new List<ImportRowError>();
        DateOnly todayUtc = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            DateOnly date = default;
            decimal close = 0m;
            var error = (Valuation.ResolvedPolicy.IsVenueId(r.Venue) ? null
                    : CalcError.Invalid(Reasons.UnknownVenue, "venue", $"venue '{r.Venue}' is not a venue id (lower-case letters, digits, '-')"))
                ?? Inputs.AssetCode(r.Base, "base")
                ?? Inputs.AssetCode(r.Quote, "quote")
                ?? Inputs.Date(r.Date, "date", out date)
                ?? Inputs.Decimal(r.Close, "close", out close)
                ?? Inputs.Positive(close, "close");
            if (error is null && date >= todayUtc)
            {
                error = CalcError.Precondition(Reasons.PriceNotFinal, $"the UTC day {r.Date} has not closed yet; only final closes are imported", "date");
            }

            if (error is not null)
            {
                rejected.Add(new ImportRowError(i.ToString(System.Globalization.CultureInfo.InvariantCulture), error));
                continue;
            }

            valid.Add(new DailyClose(r.Venue, new AssetPair(r.Base, r.Quote), date, close, IsFinal: true));
            validIndex.Add(i);
        }

        var stored = store.ImportCloses(valid, overwrite, ValidPrefix);
        writeThrough?.EnqueueCloses(ImportedValues.Accepted(valid, stored, ValidPrefix), "ImportClosingPrices");
        return Reindex(stored, validIndex, rejected);
    }

    public ImportReport ImportRates(IReadOnlyList<RateRow> rows, bool overwrite)
    {
        CheckSize(rows.Count, "rates");
        var valid = new List<CbrRate>(rows.Count);
        var validIndex = new List<int>(rows.Count);
        var rejected = new List<ImportRowError>();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            DateOnly date = default;
            decimal value = 0m;
            var error = Inputs.Currency(r.Currency, "currency")
                ?? Inputs.Date(r.EffectiveDate, "effective_date", out date)
                ?? (r.Nominal > 0 ? null : CalcError.Invalid(Reasons.InvalidAmount, "nominal", "nominal must be a positive integer"))
                ?? Inputs.Decimal(r.Value, "value", out value)
                ?? Inputs.Positive(value, "value");
            if (error is not null)
            {
                rejected.Add(new ImportRowError(i.ToString(System.Globalization.CultureInfo.InvariantCulture), error));
                continue;
            }

            valid.Add(new CbrRate(r.Currency, date, r.Nominal, value));
            validIndex.Add(i);
        }

        var stored = store.ImportCbrRates(valid, overwrite, ValidPrefix);
        writeThrough?.EnqueueRates(ImportedValues.Accepted(valid, stored, ValidPrefix), "ImportCbrRates");
        return Reindex(stored, validIndex, rejected);
    }

    private void CheckSize(int count, string field)
    {
        if (Inputs.BatchSize(count, options.MaxBatchItems, field) is { } error)
        {
            throw new CalcException(error);
        }
    }

    /// <summary>Maps the store's "valid N" locations back to request indexes and merges the validation rejections.</summary>
    private static ImportReport Reindex(ImportReport stored, List<int> validIndex, List<ImportRowError> rejected)
    {
        foreach (var r in stored.Rejected)
        {
            int k = int.Parse(r.Location.AsSpan("valid ".Length), System.Globalization.CultureInfo.InvariantCulture);
            rejected.Add(r with { Location = validIndex[k].ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        rejected.Sort((a, b) => int.Parse(a.Location, System.Globalization.CultureInfo.InvariantCulture)
            .CompareTo(int.Parse(b.Location, System.Globalization.CultureInfo.InvariantCulture)));
        return stored with { Rejected = rejected };
    }
}
