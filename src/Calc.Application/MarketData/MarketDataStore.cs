using System.Collections.Frozen;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Calc.Domain.Quotes;

namespace Calc.Application.MarketData;

/// <summary>Counts of one import, with a reason for every row not taken.</summary>
public sealed record ImportReport(int Added, int Unchanged, int Replaced, IReadOnlyList<ImportRowError> Rejected)
{
    public static readonly ImportReport Empty = new(0, 0, 0, []);

    public ImportReport Plus(ImportReport other) => new(
        Added + other.Added, Unchanged + other.Unchanged, Replaced + other.Replaced, [.. Rejected, .. other.Rejected]);
}

/// <summary>A row that was not imported: where it was (file and line, or batch index) and why.</summary>
public sealed record ImportRowError(string Location, CalcError Error);

/// <summary>
/// The in-process store of final closes and CBR rates: imported files, import RPCs and values learnt from
/// upstreams. Reads are lock-free against an immutable snapshot; writes (rare, batched) build a new one.
/// Final values are immutable: a different value for a key already held is rejected unless the caller
/// asks to overwrite.
/// </summary>
public sealed class MarketDataStore
{
    private readonly Lock _writeLock = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;
    private long _version;

    /// <summary>
    /// Incremented after every change of the held values (an added or replaced close or rate), once the new
    /// snapshot is visible: a reader that sees version N reads a snapshot at least as new as change N. Caches
    /// of values derived from the store (e.g. the rate in force on a day) are valid for one version only.
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    public int CloseCount => _snapshot.Closes.Count;

    public int CbrRateCount => _snapshot.Series.Values.Sum(s => s.Rates.Count);

    public bool TryGetClose(CloseKey key, out DailyClose close) => _snapshot.Closes.TryGetValue(key, out close!);

    /// <summary>The series of one currency, or null when none is held.</summary>
    public CbrRateSeries? GetSeries(string currency) =>
        _snapshot.Series.TryGetValue(currency, out var s) ? s : null;

    public IReadOnlyCollection<string> Currencies => _snapshot.Series.Keys;

    /// <summary>Distinct (venue, pair) series with their first and last day.</summary>
    public IReadOnlyList<(string Venue, AssetPair Pair, DateOnly First, DateOnly Last)> CloseSpans() => _snapshot.Spans;

    public ImportReport ImportCloses(IReadOnlyList<DailyClose> closes, bool overwrite, string locationPrefix = "item")
    {
        lock (_writeLock)
        {
            var current = _snapshot;
            var map = new Dictionary<CloseKey, DailyClose>(current.Closes);
            int added = 0, unchanged = 0, replaced = 0;
            var rejected = new List<ImportRowError>();
            for (int i = 0; i < closes.Count; i++)
            {
                var c = closes[i];
                var key = new CloseKey(c.Venue, c.Pair, c.Date);
                if (!c.IsFinal)
                {
                    rejected.Add(new ImportRowError($"{locationPrefix} {i}", CalcError.Precondition(Reasons.PriceNotFinal,
                        $"{c.Venue} {c.Pair} {c.Date:yyyy-MM-dd}: only final closes are stored")));
                }
                else if (!map.TryGetValue(key, out var existing))
                {
                    map[key] = c;
                    added++;
                }
                else if (existing.Close == c.Close)
                {
                    unchanged++;
                }
                else if (overwrite)
                {
                    map[key] = c;
                    replaced++;
                }
                else
                {
                    rejected.Add(new ImportRowError($"{locationPrefix} {i}", new CalcError(ErrorCode.AlreadyExists, Reasons.ConflictingValue,
                        $"{c.Venue} {c.Pair} {c.Date:yyyy-MM-dd}: close {c.Close} conflicts with the stored final close {existing.Close}; set overwrite to replace it")));
                }
            }

            if (added + replaced > 0)
            {
                _snapshot = current with { Closes = map.ToFrozenDictionary(), Spans = BuildSpans(map.Values) };
                Interlocked.Increment(ref _version);
            }

            return new ImportReport(added, unchanged, replaced, rejected);
        }
    }

    public ImportReport ImportCbrRates(IReadOnlyList<CbrRate> rates, bool overwrite, string locationPrefix = "item")
    {
        lock (_writeLock)
        {
            var current = _snapshot;
            var byCurrency = current.Series.ToDictionary(
                kv => kv.Key, kv => kv.Value.Rates.ToDictionary(r => r.EffectiveDate), StringComparer.Ordinal);
            int added = 0, unchanged = 0, replaced = 0;
            var rejected = new List<ImportRowError>();
            var touched = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < rates.Count; i++)
            {
                var r = rates[i];
                if (!byCurrency.TryGetValue(r.Currency, out var series))
                {
                    byCurrency[r.Currency] = series = [];
                }

                if (!series.TryGetValue(r.EffectiveDate, out var existing))
                {
                    series[r.EffectiveDate] = r;
                    touched.Add(r.Currency);
                    added++;
                }
                else if (existing.Nominal == r.Nominal && existing.Value == r.Value)
                {
                    unchanged++;
                }
                else if (overwrite)
                {
                    series[r.EffectiveDate] = r;
                    touched.Add(r.Currency);
                    replaced++;
                }
                else
                {
                    rejected.Add(new ImportRowError($"{locationPrefix} {i}", new CalcError(ErrorCode.AlreadyExists, Reasons.ConflictingValue,
                        $"{r.Currency} {r.EffectiveDate:yyyy-MM-dd}: {r.Value}/{r.Nominal} conflicts with the stored rate {existing.Value}/{existing.Nominal}; set overwrite to replace it")));
                }
            }

            if (touched.Count > 0)
            {
                var series = new Dictionary<string, CbrRateSeries>(current.Series, StringComparer.Ordinal);
                foreach (var code in touched)
                {
                    series[code] = new CbrRateSeries(code, byCurrency[code].Values);
                }

                _snapshot = current with { Series = series.ToFrozenDictionary(StringComparer.Ordinal) };
                Interlocked.Increment(ref _version);
            }

            return new ImportReport(added, unchanged, replaced, rejected);
        }
    }

    private static (string, AssetPair, DateOnly, DateOnly)[] BuildSpans(IEnumerable<DailyClose> closes) =>
        closes.GroupBy(c => (c.Venue, c.Pair))
            .Select(g => (g.Key.Venue, g.Key.Pair, g.Min(c => c.Date), g.Max(c => c.Date)))
            .OrderBy(s => s.Venue, StringComparer.Ordinal).ThenBy(s => s.Pair.ToString(), StringComparer.Ordinal)
            .ToArray();

    private sealed record Snapshot(
        FrozenDictionary<CloseKey, DailyClose> Closes,
        FrozenDictionary<string, CbrRateSeries> Series,
        IReadOnlyList<(string Venue, AssetPair Pair, DateOnly First, DateOnly Last)> Spans)
    {
        public static readonly Snapshot Empty = new(
            FrozenDictionary<CloseKey, DailyClose>.Empty, FrozenDictionary<string, CbrRateSeries>.Empty, []);
    }
}
