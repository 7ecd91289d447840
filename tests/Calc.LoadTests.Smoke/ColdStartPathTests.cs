using Calc.LoadTests.Scenarios;

namespace Calc.LoadTests.Smoke;

/// <summary>
/// The whole market-data path of a cold month-end batch, through the real server process: a real redis-server
/// and a loopback fake of the CBR and two venues (Binance, Coinbase). With nothing in memory and Redis empty,
/// each upstream series is fetched once for the whole range (not day by day) and every price says
/// <c>upstream</c>; a new process on the now warm Redis answers the same batch without one upstream request,
/// every price from <c>redis</c>.
/// </summary>
public sealed class ColdStartPathTests
{
    [Fact]
    public async Task ColdMonthEndBatch_EachSeriesFetchedOnceThenServedFromRedisByANewProcess()
    {
        if (!File.Exists("/usr/bin/redis-server") && !File.Exists("/usr/local/bin/redis-server"))
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                "redis-server is not installed (Debian package redis-server; .ci/run installs it)");
            return; // locally without redis-server: nothing to check here (the scenario smoke still runs without Redis)
        }

        var options = ScenarioOptions.Parse(["--smoke", "--server-dll", ServerDll]);
        var workload = Workload.Load(options.DataDirectory, "2025-08");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        var reports = await ScenarioCommands.RunAsync("cold", options, timeout.Token);

        Assert.Equal(2, reports.Count);
        var (cold, warm) = (reports[0], reports[1]);
        string fetched = $"{cold.UpstreamRequests} upstream requests:\n" + string.Join("\n", cold.UpstreamRequestLog);
        // whole ranges, not day by day: never the same request twice, and at most one request per series and
        // calendar month of the batch (a fetch may span months), for the venues and for the CBR (USD only)
        var months = workload.Series.SelectMany(s => s.Days.Select(d => (s.Venue, s.Base, s.Quote, d.Year, d.Month))).Distinct().Count();
        var cbrMonths = workload.Series.SelectMany(s => s.Days.Select(d => (d.Year, d.Month))).Distinct().Count();
        Assert.True(cold.UpstreamRequestLog.Count == cold.UpstreamRequests, fetched);
        Assert.True(cold.UpstreamRequestLog.Distinct().Count() == cold.UpstreamRequestLog.Count, "a request was repeated: " + fetched);
        Assert.True(cold.UpstreamRequestLog.Count(r => !r.StartsWith("/scripts/", StringComparison.Ordinal)) <= months, fetched);
        Assert.True(cold.UpstreamRequestLog.Count(r => r.StartsWith("/scripts/XML_dynamic.asp", StringComparison.Ordinal)) <= cbrMonths, fetched);
        // every series of the batch was fetched (nothing came from elsewhere: memory and Redis were empty)
        foreach (var series in workload.Series)
        {
            string symbol = series.Venue == "coinbase" ? $"/products/{series.Base}-{series.Quote}/candles" : $"symbol={series.Base}{series.Quote}&";
            Assert.True(cold.UpstreamRequestLog.Any(r => r.Contains(symbol, StringComparison.Ordinal)), $"{series.Venue} {series.Base}/{series.Quote} not fetched: {fetched}");
        }

        Assert.Equal(0, cold.Errors);
        Assert.Equal(new[] { "upstream" }, cold.Sources.Keys);
        Assert.Equal(0, warm.UpstreamRequests);
        Assert.Equal(0, warm.Errors);
        Assert.Equal(new[] { "redis" }, warm.Sources.Keys);
        Assert.Equal(cold.Sources["upstream"], warm.Sources["redis"]);
    }

    private static string ServerDll
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                ? "Release" : "Debug";
            return Path.Combine(ScenarioOptions.RepoRoot, "src", "Calc.Server", "bin", configuration, "net10.0", "Calc.Server.dll");
        }
    }
}
