using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Tests.Shared;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>
/// A real Calc.Server process on 127.0.0.1 with free ports: gRPC (h2c) on <see cref="GrpcAddress"/>, HTTP/1.1
/// on <see cref="Http1Address"/>. Started from the server's own build output with the given configuration
/// (environment variables, the way operators configure it) and killed on dispose.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int grpcPort, int http1Port, bool tls)
    {
        _process = process;
        GrpcAddress = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{grpcPort}");
        Http1Address = new Uri($"http://127.0.0.1:{http1Port}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public Uri GrpcAddress { get; }

    public Uri Http1Address { get; }

    /// <summary>Everything the process printed so far (JSON log lines).</summary>
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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The server's build output (same configuration as this test assembly).</summary>
    public static string ServerDll
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                ? "Release" : "Debug";
            string dll = Path.Combine(SharedData.RepoRoot, "src", "Calc.Server", "bin", configuration, "net10.0", "Calc.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/Calc.Server first", dll);
        }
    }

    /// <summary>
    /// Starts the server and waits until /alive answers (or the process exits). With <paramref name="tls"/> the
    /// gRPC address is https:// (the caller configures the certificate through <c>Tls__…</c> variables).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string>? environment = null, bool waitUntilAlive = true, bool tls = false)
    {
        // the ports were free a moment ago; another test process may bind one first: then start again on fresh ones
        for (int attempt = 1; ; attempt++)
        {
            var server = Launch(environment, tls);
            if (!waitUntilAlive)
            {
                return server;
            }

            try
            {
                await server.WaitUntilAliveAsync(StartupLimit);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>How long a start may take: a loaded 2-core CI machine starts a .NET process slowly; a hang still ends.</summary>
    public static TimeSpan StartupLimit { get; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits until the output (read asynchronously from the process's pipes, after its own asynchronous logger)
    /// contains <paramref name="text"/>; the output so far when the timeout passes first (the caller's assertion
    /// then fails with it).
    /// </summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout) =>
        await WaitForOutputAsync(output => output.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>Waits until the output satisfies <paramref name="done"/>; the output so far when the timeout passes first.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> done, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        string output = Output;
        while (!done(output) && clock.Elapsed < timeout)
        {
            await Task.Delay(50);
            output = Output;
        }

        return output;
    }

    private static ServerProcess Launch(IDictionary<string, string>? environment, bool tls)
    {
        int grpcPort = FreePort();
        int http1Port = FreePort();
        var info = new ProcessStartInfo("dotnet", [ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedData.RepoRoot,
        };
        info.Environment["urls"] = $"{(tls ? "https" : "http")}://127.0.0.1:{grpcPort}";
        info.Environment["Http1Urls"] = $"http://127.0.0.1:{http1Port}";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, grpcPort, http1Port, tls);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits for the process to exit by itself (e.g. a startup failure).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flush redirected output
        return _process.ExitCode;
    }

    /// <summary>Kills the process (its whole tree) and waits for it; a second call does nothing (a test may kill a replica mid-test).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Starts <paramref name="count"/> servers with the same environment, side by side.</summary>
    public static Task<ServerProcess[]> StartManyAsync(int count, IDictionary<string, string> environment) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartAsync(environment)));

    private async Task WaitUntilAliveAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // flush redirected output
                throw new InvalidOperationException($"Calc.Server exited with {_process.ExitCode} during startup:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Http1Address, "/alive"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // not answering yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Calc.Server did not become alive within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
