using System.Globalization;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;

namespace Calc.LoadTests.Scenarios;

/// <summary>One closing-price series present in the imported data (never invented: days come from closes.csv).</summary>
public sealed record Series(string Venue, string Base, string Quote, IReadOnlyList<DateOnly> Days);

/// <summary>
/// Requests built from the closes the server imported: the three series binance BTC/USDT, binance ETH/USDT and
/// coinbase BTC/USD over one month (default 2025-08, where all three have every day; the fixture's own days
/// when it lacks that month). A binance call carries BTC and ETH, a coinbase call BTC (one policy per call).
/// Receipts are received at 12:00–13:00 Moscow time, so the income date is the close's day.
/// </summary>
public sealed class Workload
{
    private static readonly (string Venue, string Base, string Quote)[] Wanted =
        [("binance", "BTC", "USDT"), ("binance", "ETH", "USDT"), ("coinbase", "BTC", "USD")];

    private Workload(IReadOnlyList<Series> series) => Series = series;

    public IReadOnlyList<Series> Series { get; }

    /// <summary>Distinct (asset, day) pairs across all series, e.g. 31 × 3 = 93 for a full month.</summary>
    public int PricePoints => Series.Sum(s => s.Days.Count);

    public static Workload Load(string dataDirectory, string month)
    {
        var byKey = new Dictionary<(string, string, string), List<DateOnly>>();
        foreach (string line in File.ReadLines(Path.Combine(dataDirectory, "closes.csv")).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length < 5)
            {
                continue;
            }

            var key = (f[0], f[1], f[2]);
            if (!byKey.TryGetValue(key, out var days))
            {
                byKey[key] = days = [];
            }

            days.Add(DateOnly.ParseExact(f[3], "yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var series = new List<Series>();
        foreach (var w in Wanted)
        {
            if (!byKey.TryGetValue(w, out var days))
            {
                continue;
            }

            var inMonth = days.Where(d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture) == month).Order().ToList();
            series.Add(new Series(w.Venue, w.Base, w.Quote, inMonth.Count > 0 ? inMonth : [.. days.Order()]));
        }

        return series.Count > 0 ? new Workload(series) : throw new InvalidOperationException($"no usable closes in {dataDirectory}");
    }

    /// <summary>The policies of the scenario: one per venue, each with the series (assets) it prices.</summary>
    public IReadOnlyList<(ValuationPolicy Policy, Series[] Series)> Policies() =>
        [.. Series.GroupBy(s => (s.Venue, s.Quote)).Select(g =>
            (new ValuationPolicy { Venue = g.Key.Venue, QuoteCurrency = g.Key.Quote, TimeZone = "Europe/Moscow" }, g.ToArray()))];

    /// <summary><paramref name="count"/> receipts cycling over every (asset, day) of <paramref name="series"/>.</summary>
    public static List<MiningReceipt> Receipts(Series[] series, int count, string idPrefix)
    {
        var points = series.SelectMany(s => s.Days.Select(d => (s.Base, Day: d))).ToArray();
        var receipts = new List<MiningReceipt>(count);
        for (int i = 0; i < count; i++)
        {
            var (asset, day) = points[i % points.Length];
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc)).AddSeconds(i % 3600);
            receipts.Add(new MiningReceipt
            {
                Id = idPrefix + i.ToString(CultureInfo.InvariantCulture),
                ReceivedAt = Timestamp.FromDateTimeOffset(at),
                Asset = asset,
                // 0.00010000 … 0.00109999 coins: realistic pool payouts, 8 decimals
                Amount = (0.0001m + (i % 100_000) / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture),
                Pool = "load-test",
            });
        }

        return receipts;
    }

    /// <summary>One unary request per policy, each with <paramref name="count"/> receipts.</summary>
    public IReadOnlyList<RecognizeIncomeRequest> BatchRequests(int count)
    {
        var requests = new List<RecognizeIncomeRequest>();
        foreach (var (policy, series) in Policies())
        {
            var request = new RecognizeIncomeRequest { Policy = policy };
            request.Receipts.AddRange(Receipts(series, count, $"{policy.Venue}-r"));
            requests.Add(request);
        }

        return requests;
    }
}
