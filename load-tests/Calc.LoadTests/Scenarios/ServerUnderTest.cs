using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// A Calc.Server process on 127.0.0.1 (gRPC h2c and HTTP/1.1 on free ports), configured through environment
/// variables as operators do, quiet (Warning logs), killed on dispose. Its CPU and memory are read from /proc.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerUnderTest(Process process, int grpcPort, int http1Port)
    {
        _process = process;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        Http1Address = new Uri($"http://127.0.0.1:{http1Port}");
    }

    public Uri GrpcAddress { get; }

    public Uri Http1Address { get; }

    public int Pid => _process.Id;

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

    public ProcStats Stats() => ProcStats.Read(_process.Id);

    public void ResetPeak() => ProcStats.ResetPeak(_process.Id);

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
            if (_process.HasExited)
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
