using System.Diagnostics;
using System.Globalization;
using System.Text;
using Calc.Cli.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Calc.Cli.Tests;

/// <summary>
/// <c>calc income recognize</c> against real server processes when the stream is lost mid-run: through a
/// forwarder that resets the connection after some results, and with two replicas (<c>--server a,b</c>) of which
/// the one serving the stream is killed. The run resumes and writes the same bytes (results, report, report
/// lines) as a run without a fault.
/// </summary>
public sealed class StreamResumeEndToEndTests(ITestOutputHelper log) : IAsyncLifetime
{
    private readonly TempFolder _temp = Fixtures.Temp();
    private ServerProcess _a = null!;
    private ServerProcess _b = null!;

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.Market };
        var servers = await ServerProcess.StartManyAsync(2, environment);
        (_a, _b) = (servers[0], servers[1]);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync(); // nothing more for the replica the test killed
        await _b.DisposeAsync();

        _temp.Dispose();
    }

    [Fact]
    public async Task ConnectionResetMidStream_RunResumes_OutputIdenticalToAnUninterruptedRun()
    {
        string input = WriteReceipts(60_000);
        var plain = await RecognizeAsync(input, "plain", Address(_a));
        Assert.True(plain.Result.ExitCode == ExitCodes.ItemsFailed, plain.Result.Error); // the bad rows, and only them

        // results of 60,000 receipts are ~5 MB on the wire: cut after ~1.5 MB, mid-stream
        await using var proxy = new CuttingProxy(_a.GrpcAddress, cutAfterBytes: 1_500_000);
        var cut = await RecognizeAsync(input, "cut", proxy.Address.ToString().TrimEnd('/'));

        Assert.True(proxy.HasCut, "the forwarder did not cut: the run was shorter than expected");
        Assert.True(cut.Result.ExitCode == ExitCodes.ItemsFailed, cut.Result.Error);
        Assert.Contains("resuming from chunk", cut.Result.Error, StringComparison.Ordinal);
        Assert.Contains("the stream was lost and resumed 1 time(s)", cut.Result.Error, StringComparison.Ordinal);
        AssertSameFiles(plain, cut);
    }

    [Fact]
    public async Task ReplicaKilledMidStream_RunResumesOnTheOther_OutputIdenticalToAnUninterruptedRun()
    {
        string input = WriteReceipts(400_000);
        // each replica behind a counting forwarder: the bytes each one sends tell which carries the stream
        await using var toA = new CuttingProxy(_a.GrpcAddress, cutAfterBytes: long.MaxValue);
        await using var toB = new CuttingProxy(_b.GrpcAddress, cutAfterBytes: long.MaxValue);
        string servers = $"{toA.Address.ToString().TrimEnd('/')},{toB.Address.ToString().TrimEnd('/')}";
        var plain = await RecognizeAsync(input, "plain", servers);
        Assert.True(plain.Result.ExitCode == ExitCodes.ItemsFailed, plain.Result.Error); // the bad rows, and only them
        long plainBytes = new FileInfo(plain.Output).Length;

        long fromA0 = toA.BytesToClient, fromB0 = toB.BytesToClient;
        var running = RecognizeAsync(input, "killed", servers);
        string output = Path.Combine(_temp.Path, "killed-income.csv");
        var clock = Stopwatch.StartNew();
        while (!running.IsCompleted && (!File.Exists(output) || new FileInfo(output).Length < plainBytes / 10) && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(20);
        }

        Assert.False(running.IsCompleted, "the run ended before the kill: make the input larger");
        // the stream runs on one replica: the one whose results went through its forwarder
        long fromA = toA.BytesToClient - fromA0, fromB = toB.BytesToClient - fromB0;
        log.WriteLine($"bytes to the client since the run started: A {fromA:N0}, B {fromB:N0}");
        Assert.True(Math.Max(fromA, fromB) > 1_000_000, $"neither replica sent the results written so far (A {fromA}, B {fromB} bytes)");
        bool killA = fromA > fromB;
        long writtenAtKill = new FileInfo(output).Length;
        await (killA ? _a : _b).DisposeAsync();

        var killed = await running;

        Assert.True(writtenAtKill < plainBytes * 9 / 10, $"the kill came late ({writtenAtKill} of {plainBytes} bytes written)");
        Assert.True(killed.Result.ExitCode == ExitCodes.ItemsFailed, killed.Result.Error);
        Assert.Contains("the stream was lost and resumed", killed.Result.Error, StringComparison.Ordinal);
        AssertSameFiles(plain, killed);
    }

    private sealed record Run(CliResult Result, string Output, string Report, string Detail);

    private async Task<Run> RecognizeAsync(string input, string name, string server)
    {
        string output = Path.Combine(_temp.Path, name + "-income.csv");
        string report = Path.Combine(_temp.Path, name + "-report.csv");
        string detail = Path.Combine(_temp.Path, name + "-lines.csv");
        var result = await CalcCli.RunAsync("--server", server, "income", "recognize", "--in", input, "--out", output, "--report", report,
            "--report-detail", detail, "--quiet");
        log.WriteLine($"{name}: exit {result.ExitCode}\n{string.Join('\n', result.Error.Split('\n').Where(l => !l.Contains("CSV_FORMAT", StringComparison.Ordinal)))}");
        return new Run(result, output, report, detail);
    }

    private static void AssertSameFiles(Run expected, Run actual)
    {
        foreach (var (e, a) in new[] { (expected.Output, actual.Output), (expected.Report, actual.Report), (expected.Detail, actual.Detail) })
        {
            byte[] want = File.ReadAllBytes(e), got = File.ReadAllBytes(a);
            Assert.True(want.AsSpan().SequenceEqual(got), $"{Path.GetFileName(a)} differs from {Path.GetFileName(e)} ({got.Length} vs {want.Length} bytes)");
        }
    }

    /// <summary>Receipts over 2025-03-10 … 19 (the market fixture's days), BTC and ETH, a few bad rows (written in place, never sent).</summary>
    private string WriteReceipts(int rows)
    {
        string path = Path.Combine(_temp.Path, $"receipts-{rows}.csv");
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("id,received_at,asset,amount,pool,tx_id\n");
        for (int i = 0; i < rows; i++)
        {
            string amount = i % 1009 == 17 ? "1,2.3" : "0.000" + (100 + (i % 900)).ToString(CultureInfo.InvariantCulture);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"r{i},2025-03-{10 + (i % 10):00}T{9 + (i % 8):00}:{i % 60:00}:00Z,{(i % 3 == 0 ? "ETH" : "BTC")},{amount},{(i % 2 == 0 ? "ViaBTC" : "F2Pool")},tx{i:x}\n"));
        }

        return path;
    }

    private static string Address(ServerProcess server) => server.GrpcAddress.ToString().TrimEnd('/');
}
