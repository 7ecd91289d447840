using Calc.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>The attack tests run alone: each measures a server's memory and a legitimate caller's answers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AttackCollection
{
    public const string Name = "Attacks";
}

/// <summary>One server with the default configuration (and the small real-data fixture) for the HTTP/2 attacks.</summary>
public sealed class AttackServerFixture : IAsyncLifetime
{
    /// <summary>
    /// grpc-dotnet's per-call Information lines (two with a stack trace for every stream a client resets) are raised
    /// to Warning by the log policy's defaults (Logging:LogLevel:Grpc); stated here as well, so these tests measure
    /// what the limits let through whichever side of that change they run on.
    /// </summary>
    public static readonly Dictionary<string, string> Environment = new() { ["Logging__LogLevel__Grpc"] = "Warning" };

    public ServerTarget Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = new ServerTarget(await CalcProcess.StartAsync(Environment));

    public async Task DisposeAsync() => await Server.Process.DisposeAsync();
}

/// <summary>
/// HTTP/2 abuse against the real server process on loopback, default configuration, each attack from its own
/// source address for a bounded time (5–6 s). For every attack: the process lives; a legitimate caller on
/// 127.0.0.1 keeps being answered (≥ 90 % of its calls during the attack, each within 5 s); a call on a new
/// connection is answered within 5 s after it; the peak resident set stays under 400 MiB (the unfinished-messages
/// attack reached 1.5 GB in 7 s before the request buffer bounds); the log grows by less than 128 KiB — except where
/// the attack's calls are refused inside the call: the log policy's one line per call, and no more, for those.
/// Figures: lines starting <c>ATTACK |</c> in the test output.
/// </summary>
[Collection(AttackCollection.Name)]
[Trait("Category", "Attack")]
public sealed class Http2AttackTests(AttackServerFixture fixture, ITestOutputHelper output) : IClassFixture<AttackServerFixture>
{
    public const double MinShareAnswered = 0.9;
    public const double MaxPeakRssMiB = 400;
    public const long MaxLogBytes = 128 * 1024;
    public static readonly TimeSpan MaxRecovery = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);

    private ServerTarget Server => fixture.Server;

    private System.Net.IPEndPoint Target => Attackers.EndPoint(Server.GrpcAddress);

    [Fact]
    public async Task RapidReset_OneConnection_GuardClosesIt_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.RapidResetAsync(Target, Attackers.Address(10), Duration, attackers: 1, reconnect: false);
        var figures = await measure.FinishAsync("rapid reset, one connection", outcome.ToString(), MaxRecovery);

        AssertUnharmed(figures);
        // the connection was closed long before the attack's time was up (Limits:PrematureResetLimit)
        Assert.Equal(1, outcome.ClosedByServer);
        Assert.Contains("for rapid reset", Server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RapidReset_Reconnecting_AddressBarred_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.RapidResetAsync(Target, Attackers.Address(11), Duration, attackers: 4, reconnect: true);
        var figures = await measure.FinishAsync("rapid reset, 4 connections reconnecting", outcome.ToString(), MaxRecovery);

        AssertUnharmed(figures);
        Assert.Contains("barred for 10 s after a rapid reset", Server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsFlood_AcknowledgementsNeverRead_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.FloodAsync(Target, Attackers.Address(12), Duration, H2.SettingsFrame((0x3, 100)), read: false);
        AssertUnharmed(await measure.FinishAsync("SETTINGS flood, never read", outcome.ToString(), MaxRecovery));
    }

    [Fact]
    public async Task PingFlood_AcknowledgementsNeverRead_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.FloodAsync(Target, Attackers.Address(13), Duration, H2.Frame(H2.Ping, 0, 0, new byte[8]), read: false);
        AssertUnharmed(await measure.FinishAsync("PING flood, never read", outcome.ToString(), MaxRecovery));
    }

    [Fact]
    public async Task WindowUpdateFlood_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.FloodAsync(Target, Attackers.Address(14), Duration, H2.WindowUpdateFrame(0, 1), read: true);
        AssertUnharmed(await measure.FinishAsync("WINDOW_UPDATE flood (+1 each)", outcome.ToString(), MaxRecovery));
    }

    [Fact]
    public async Task ContinuationFlood_HeaderBytes_ConnectionsClosed_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.ContinuationFloodAsync(Target, Attackers.Address(15), Duration, empty: false);
        var figures = await measure.FinishAsync("CONTINUATION flood, 100-byte headers", outcome.ToString(), MaxRecovery);

        AssertUnharmed(figures);
        // the header block passes Limits:MaxRequestHeadersBytes (32 KiB) after a few hundred frames: each connection is closed
        Assert.True(outcome.ClosedByServer >= outcome.Connections - 1, outcome.ToString());
    }

    [Fact]
    public async Task ContinuationFlood_Empty_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.ContinuationFloodAsync(Target, Attackers.Address(16), Duration, empty: true);
        AssertUnharmed(await measure.FinishAsync("CONTINUATION flood, empty frames", outcome.ToString(), MaxRecovery));
    }

    [Fact]
    public async Task EmptyDataFlood_ServerUnharmed()
    {
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.EmptyDataFloodAsync(Target, Attackers.Address(17), Duration);
        AssertUnharmed(await measure.FinishAsync("empty DATA flood on a client stream", outcome.ToString(), MaxRecovery));
    }

    [Theory]
    [InlineData("/calc.v1.IncomeService/RecognizeIncome", 18)]
    [InlineData("/calc.v1.IncomeService/StreamRecognizeIncome", 19)]
    public async Task UnfinishedMessages_250StreamsOf16MiB_RefusedPastTheCallerBuffer_MemoryBounded(string method, int source)
    {
        const int streams = 250;
        await using var measure = await AttackMeasurement.StartAsync(Server);
        var outcome = await Http2Attacks.UnfinishedMessagesAsync(Target, Attackers.Address(source), TimeSpan.FromSeconds(6), method, streams,
            declared: (16 * 1024 * 1024) - 5);
        var figures = await measure.FinishAsync($"{streams} unfinished 16 MiB messages, {method.Split('/')[^1]}", outcome.ToString(), MaxRecovery);

        // a stream's refusal comes from inside the call, which the transport logs (one line per call, the log policy)
        AssertUnharmed(figures, maxLogBytes: MaxLogBytes + (streams * 1200L), maxLogLines: streams + 20);
        // 64 MiB per caller (Limits:MaxBufferedRequestBytesPerCaller): a few messages may be held, the rest are refused
        Assert.InRange(outcome.StreamsReset, streams - 8, streams);
        Assert.Contains("REQUEST_BUFFER_FULL", Server.Output, StringComparison.Ordinal);
    }

    private void AssertUnharmed(AttackFigures figures, long maxLogBytes = MaxLogBytes, int maxLogLines = int.MaxValue)
    {
        output.WriteLine(figures.ToString());
        Assert.False(Server.HasExited, "the server process died:\n" + Tail(Server.Output));
        Assert.True(figures.Share >= MinShareAnswered, $"the legitimate caller was answered {figures.Answered} times of {figures.Probes}: {figures}");
        Assert.True(figures.RecoverySeconds <= MaxRecovery.TotalSeconds, $"no answer on a new connection within {MaxRecovery}: {figures}");
        Assert.True(figures.PeakRssMiB <= MaxPeakRssMiB, $"peak RSS over {MaxPeakRssMiB} MiB: {figures}");
        Assert.True(figures.LogBytes <= maxLogBytes && figures.LogLines <= maxLogLines,
            $"the log grew by {figures.LogBytes} bytes, {figures.LogLines} lines: {figures}\n{Tail(Server.Output)}");
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;
}
