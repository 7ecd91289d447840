using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// A Calc.Server process on 127.0.0.1 (gRPC h2c and HTTP/1.1 on free ports), configured through environment
/// variables as operators do, quiet (Warning logs), killed on dispose. Its CPU and memory are read from /proc.
/// Or (<see cref="Attach"/>, <c>--target</c>) servers already running, e.g. the loopback topology's balancer with
/// its replicas: then the CPU and memory are those of the processes named by <c>--target-pids</c>, summed.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly StringBuilder _output = new();
    private readonly (string Name, int Pid)[] _attached = [];

    private ServerUnderTest(Process process, int grpcPort, int http1Port)
    {
        _process = process;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        Http1Address = new Uri($"http://127.0.0.1:{http1Port}");
    }

    private ServerUnderTest(Uri grpc, Uri http1, (string Name, int Pid)[] processes)
    {
        GrpcAddress = grpc;
        Http1Address = http1;
        _attached = processes;
    }

    public Uri GrpcAddress { get; }

    public Uri Http1Address { get; }

    public int Pid => _process?.Id ?? (_attached.Length > 0 ? _attached[0].Pid : -1);

    /// <summary>The processes measured, by name: the started server, or the attached <c>--target-pids</c>.</summary>
    public IReadOnlyList<(string Name, int Pid)> Processes => _process is { } p ? [("server", p.Id)] : _attached;

    /// <summary>
    /// Servers already running: <c>--target URL</c> (gRPC h2c), <c>--target-http URL</c> (HTTP/1.1; default: the gRPC
    /// port + 1), <c>--target-pids name=pid,name=pid</c> (whose CPU and memory the reports count as the server's).
    /// Nothing is imported: the target must hold the workload's market data. Not stopped on dispose.
    /// </summary>
    public static ServerUnderTest Attach(ScenarioOptions options)
    {
        var grpc = new Uri(options.String("target") ?? throw new ArgumentException("--target is missing"));
        var http1 = options.String("target-http") is { } h ? new Uri(h) : new UriBuilder(grpc) { Port = grpc.Port + 1 }.Uri;
        var pids = (options.String("target-pids") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=') is [var name, var pid] ? (name, int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture))
                : (p, int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        return new ServerUnderTest(grpc, http1, pids);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>CPU and memory of the measured processes (summed when several are attached).</summary>
    public ProcStats Stats() => Processes.Select(p => ProcStats.Read(p.Pid))
        .Aggregate(default(ProcStats), (sum, s) => new ProcStats(sum.CpuSeconds + s.CpuSeconds, sum.RssBytes + s.RssBytes, sum.PeakRssBytes + s.PeakRssBytes));

    public void ResetPeak()
    {
        foreach (var (_, pid) in Processes)
        {
            ProcStats.ResetPeak(pid);
        }
    }

    public static async Task<ServerUnderTest> StartAsync(ScenarioOptions options, IDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        // the ports were free a moment ago; another process (a parallel test project) may bind one first: then
        // start again on fresh ones
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await LaunchAsync(options, environment, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<ServerUnderTest> LaunchAsync(ScenarioOptions options, IDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        int grpcPort = FreePort(), http1Port = FreePort();
        var info = new ProcessStartInfo("dotnet", [options.ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["urls"] = $"http://127.0.0.1:{grpcPort}";
        info.Environment["Http1Urls"] = $"http://127.0.0.1:{http1Port}";
        info.Environment["MarketData__ImportPath"] = options.DataDirectory;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        // --server-env "K=V;K=V": settings of this run's server only (e.g. the B side of a comparison)
        foreach (string pair in (options.String("server-env") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            info.Environment[pair[..eq]] = pair[(eq + 1)..];
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerUnderTest(process, grpcPort, http1Port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAliveAsync(TimeSpan.FromSeconds(90), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return; // attached: not ours to stop
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilAliveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.StartNew();
        while (started.Elapsed < timeout)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Http1Address, "/alive"), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"the server did not answer /alive within {timeout}:\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
