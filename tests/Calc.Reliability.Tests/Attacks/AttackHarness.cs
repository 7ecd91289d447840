using System.Diagnostics;
using System.Globalization;
using System.Net;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Grpc.Core;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>A Calc server process under attack: what the measurements read of it.</summary>
public interface IServerUnderAttack
{
    int Pid { get; }

    Uri GrpcAddress { get; }

    Uri Http1Address { get; }

    /// <summary>Everything the process printed so far (its log).</summary>
    string Output { get; }

    bool HasExited { get; }
}

/// <summary>The reliability suite's <see cref="ServerProcess"/> as a target.</summary>
public sealed class ServerTarget(ServerProcess process) : IServerUnderAttack
{
    public ServerProcess Process { get; } = process;

    public int Pid => Process.Pid;

    public Uri GrpcAddress => Process.GrpcAddress;

    public Uri Http1Address => Process.Http1Address;

    public string Output => Process.Output;

    public bool HasExited => Process.HasExited;
}

/// <summary>The figures of one attack, as the README's table lists them.</summary>
public sealed record AttackFigures(string Attack, int Probes, int Answered, double PeakRssMiB, double RecoverySeconds, long LogBytes, int LogLines, string Detail)
{
    public double Share => Probes == 0 ? 0 : (double)Answered / Probes;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Attack} | {PeakRssMiB:0} MiB | {Answered}/{Probes} ({Share:P0}) | {RecoverySeconds:0.00} s | {LogBytes / 1024.0:0.#} KiB, {LogLines} lines | {Detail} |");
}

/// <summary>
/// Measures a server while an attack runs: a legitimate caller on 127.0.0.1 (Grpc.Net.Client, a channel opened
/// before the attack) calls GetCbrRate every 100 ms with a 5 s deadline; the server's peak resident set (VmHWM,
/// reset when the attack starts) and its log output are read; after the attack, the time until a call on a new
/// connection is answered is the recovery time.
/// </summary>
public sealed class AttackMeasurement : IAsyncDisposable
{
    public static readonly GetCbrRateRequest UsdRate = new() { Currency = "USD", Date = "2025-01-05" };

    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(100);

    private readonly IServerUnderAttack _server;
    private readonly Grpc.Net.Client.GrpcChannel _channel;
    private readonly QuoteService.QuoteServiceClient _quotes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _probing;
    private readonly int _logStart;
    private int _probes;
    private int _answered;
    private volatile bool _attacking = true;

    private AttackMeasurement(IServerUnderAttack server, Grpc.Net.Client.GrpcChannel channel)
    {
        _server = server;
        _channel = channel;
        _quotes = new QuoteService.QuoteServiceClient(channel);
        _logStart = server.Output.Length;
        ResetPeakRss(server.Pid);
        _probing = Task.Run(ProbeLoopAsync);
    }

    /// <summary>Opens the legitimate caller's channel (one answered call) and starts measuring.</summary>
    public static async Task<AttackMeasurement> StartAsync(IServerUnderAttack server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var channel = RpcChannel.For(server.GrpcAddress);
        var quotes = new QuoteService.QuoteServiceClient(channel);
        var rate = await quotes.GetCbrRateAsync(UsdRate, deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30)).ResponseAsync;
        Assert.Equal("101.6797", rate.Value);
        return new AttackMeasurement(server, channel);
    }

    /// <summary>
    /// Ends the attack window, waits until a call on a new connection is answered (at most
    /// <paramref name="recoveryLimit"/>), lets the log settle and returns the figures.
    /// </summary>
    public async Task<AttackFigures> FinishAsync(string attack, string detail, TimeSpan recoveryLimit)
    {
        _attacking = false;
        var recovery = Stopwatch.StartNew();
        double recovered = double.NaN;
        while (recovery.Elapsed < recoveryLimit && !_server.HasExited)
        {
            using var fresh = RpcChannel.For(_server.GrpcAddress);
            try
            {
                var rate = await new QuoteService.QuoteServiceClient(fresh).GetCbrRateAsync(UsdRate, deadline: DateTime.UtcNow + ProbeDeadline).ResponseAsync;
                if (rate.Value == "101.6797")
                {
                    recovered = recovery.Elapsed.TotalSeconds;
                    break;
                }
            }
            catch (RpcException)
            {
                await Task.Delay(ProbePeriod);
            }
        }

        await _stop.CancelAsync();
        await _probing;
        // the server logs asynchronously: what the attack caused has reached the output a moment later
        await Task.Delay(TimeSpan.FromSeconds(1));
        var log = _server.Output.AsSpan(Math.Min(_logStart, _server.Output.Length));
        long logBytes = System.Text.Encoding.UTF8.GetByteCount(log);
        int logLines = log.Count('\n');
        double peak = _server.HasExited ? double.NaN : PeakRssMiB(_server.Pid);
        var figures = new AttackFigures(attack, _probes, _answered, peak, recovered, logBytes, logLines, detail);
        // read off by `dotnet test … --logger "console;verbosity=detailed"` (and kept in the test's output)
        Console.WriteLine("ATTACK " + figures);
        return figures;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _probing;
        _channel.Dispose();
        _stop.Dispose();
    }

    /// <summary>Resident set size now (VmRSS), MiB.</summary>
    public static double RssMiB(int pid) => StatusKb(pid, "VmRSS:") / 1024.0;

    private static double PeakRssMiB(int pid) => StatusKb(pid, "VmHWM:") / 1024.0;

    /// <summary>Resets the process's peak resident set (VmHWM) to its current size.</summary>
    private static void ResetPeakRss(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    private static long StatusKb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{field} not in /proc/{pid}/status");
    }

    private async Task ProbeLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            bool during = _attacking;
            bool ok;
            try
            {
                var rate = await _quotes.GetCbrRateAsync(UsdRate, deadline: DateTime.UtcNow + ProbeDeadline).ResponseAsync;
                ok = rate.Value == "101.6797";
            }
            catch (RpcException)
            {
                ok = false;
            }

            if (during)
            {
                Interlocked.Increment(ref _probes);
                if (ok)
                {
                    Interlocked.Increment(ref _answered);
                }
            }

            try
            {
                await Task.Delay(ProbePeriod, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

/// <summary>Source addresses for attackers: each attack its own loopback address, so one's penalty never touches another.</summary>
public static class Attackers
{
    /// <summary>127.0.0.<paramref name="n"/> (n from 2; 127.0.0.1 is the legitimate caller).</summary>
    public static IPAddress Address(int n) => new([127, 0, 0, (byte)n]);

    public static IPEndPoint EndPoint(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new IPEndPoint(IPAddress.Parse(address.Host), address.Port);
    }
}
