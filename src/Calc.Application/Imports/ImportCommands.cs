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
/// The write use cases: client-supplied closes and rates, validated row by row by <see cref="ImportRules"/> (the
/// checks the startup files also pass; a bad row is rejected with its index and reason, the rest are imported),
/// idempotent, conflicts rejected unless overwrite. The values the store accepted (added, unchanged, replaced) are
/// then written through to the shared cache in the background (<see cref="ImportWriteThrough"/>), so other
/// replicas see them; a cache outage never fails an import.
/// </summary>
public sealed class ImportCommands(
    MarketDataStore store, ImportRules rules, Valuation.ValuationOptions options, ImportWriteThrough? writeThrough = null)
{
    private const string ValidPrefix = "valid";

    public ImportReport ImportCloses(IReadOnlyList<CloseRow> rows, bool overwrite)
    {
        CheckSize(rows.Count, "prices");
        var valid = new List<DailyClose>(rows.Count);
        var validIndex = new List<int>(rows.Count);
        var rejected = new List<ImportRowError>();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (rules.Close(r.Venue, r.Base, r.Quote, r.Date, r.Close, CloseFields.Api, out var close) is { } error)
            {
                rejected.Add(new ImportRowError(i.ToString(System.Globalization.CultureInfo.InvariantCulture), error));
                continue;
            }

            valid.Add(close!);
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
            if (rules.Rate(r.Currency, r.EffectiveDate, r.Nominal, r.Value, RateFields.Api, out var rate) is { } error)
            {
                rejected.Add(new ImportRowError(i.ToString(System.Globalization.CultureInfo.InvariantCulture), error));
                continue;
            }

            valid.Add(rate!);
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
