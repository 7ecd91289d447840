using System.Collections.Concurrent;
using System.Globalization;
using Calc.V1;
using Grpc.Core;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// <c>verify-quotes --target URL [--data DIR] [--duration S] [--concurrency N]</c>: GetQuote for random (series, day)
/// of closes.csv against a running server or balancer, every answer checked against the files: the close is the
/// file's, the CBR rate is the file's row at the answer's effective date (on or before the day), and price_rub =
/// close × the unit rate. For fault drills (deploy/topology/fault-tests.sh: a Redis fail-over, replicas restarted
/// cold): random days spread over years keep missing the replicas' in-process tier, so the lookups go to Redis
/// (or, when it fails, upstream). Prints the counts and the provenance sources; exit code 1 on any failed or
/// wrong answer.
/// </summary>
public static class VerifyQuotes
{
    public static LoadCommand Command { get; } = new("verify-quotes",
        "GetQuote for random days against --target, every answer checked against closes.csv / cbr-rates.csv (fault drills)", RunAsync);

    private sealed record Row(string Venue, string Base, string Quote, string Date, decimal Close);

    private static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var options = ScenarioOptions.Parse(args);
        string data = options.DataDirectory;
        var target = new Uri(options.String("target") ?? throw new ArgumentException("--target URL is required"));
        var duration = TimeSpan.FromSeconds(options.Double("duration", 20, 2));
        int concurrency = options.Int("concurrency", 8, 2);

        var rates = new Dictionary<string, (int Nominal, decimal Value)>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(data, "cbr-rates.csv")).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length >= 4 && f[1] == "USD")
            {
                rates[f[0]] = (int.Parse(f[2], CultureInfo.InvariantCulture), decimal.Parse(f[3], CultureInfo.InvariantCulture));
            }
        }

        string firstRate = rates.Keys.Min(StringComparer.Ordinal)!, lastRate = rates.Keys.Max(StringComparer.Ordinal)!;
        // USD and USDT pairs (valued at the CBR USD rate) on days the rate file covers
        var rows = File.ReadLines(Path.Combine(data, "closes.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length >= 5 && f[2] is "USD" or "USDT" && string.CompareOrdinal(f[3], firstRate) > 0 && string.CompareOrdinal(f[3], lastRate) <= 0)
            .Select(f => new Row(f[0], f[1], f[2], f[3], decimal.Parse(f[4], CultureInfo.InvariantCulture)))
            .ToArray();

        using var channel = LoadChannel.For(target);
        var client = new QuoteService.QuoteServiceClient(channel);
        long calls = 0, failed = 0, wrong = 0;
        var sources = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var problems = new ConcurrentQueue<string>();
        var end = DateTime.UtcNow + duration;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(worker * 7919 + 17);
            while (DateTime.UtcNow < end && !ct.IsCancellationRequested)
            {
                var row = rows[random.Next(rows.Length)];
                Interlocked.Increment(ref calls);
                try
                {
                    var quote = await client.GetQuoteAsync(new GetQuoteRequest { Asset = row.Base, QuoteCurrency = row.Quote, Venue = row.Venue, Date = row.Date },
                        LoadChannel.Call(ct)).ConfigureAwait(false);
                    sources.AddOrUpdate(quote.Provenance.Source, 1, (_, n) => n + 1);
                    if (Check(row, quote, rates) is { } problem)
                    {
                        Interlocked.Increment(ref wrong);
                        problems.Enqueue(problem);
                    }
                }
                catch (RpcException e) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    problems.Enqueue($"{row.Venue} {row.Base}/{row.Quote} {row.Date}: {e.StatusCode} {e.Status.Detail}");
                }
            }
        })).ConfigureAwait(false);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verify-quotes: {calls} calls over {duration.TotalSeconds:F0} s to {target}: {failed} failed, {wrong} wrong; sources {string.Join(", ", sources.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}×{kv.Value}"))}"));
        foreach (string problem in problems.Take(10))
        {
            Console.WriteLine("  " + problem);
        }

        return failed == 0 && wrong == 0 ? 0 : 1;
    }

    private static string? Check(Row row, Quote quote, Dictionary<string, (int Nominal, decimal Value)> rates)
    {
        var p = quote.Provenance;
        decimal close = decimal.Parse(p.Close, CultureInfo.InvariantCulture);
        if (close != row.Close)
        {
            return $"{row.Venue} {row.Base}/{row.Quote} {row.Date}: close {p.Close}, the file has {row.Close}";
        }

        if (string.CompareOrdinal(p.CbrEffectiveDate, row.Date) > 0 || !rates.TryGetValue(p.CbrEffectiveDate, out var rate)
            || decimal.Parse(p.CbrRate, CultureInfo.InvariantCulture) != rate.Value || p.CbrNominal != rate.Nominal)
        {
            return $"{row.Date}: CBR rate {p.CbrRate}/{p.CbrNominal} of {p.CbrEffectiveDate} is not the file's row on or before the day";
        }

        decimal expected = close * (rate.Value / rate.Nominal);
        return decimal.Parse(quote.PriceRub, CultureInfo.InvariantCulture) == expected ? null
            : $"{row.Date}: price_rub {quote.PriceRub}, expected {expected}";
    }
}
