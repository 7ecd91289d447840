using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Tests.Shared;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>
/// A Calc.Server process started under <c>prlimit --nofile=N:N</c>, so its descriptor limit is small enough to
/// reach with a bounded number of loopback connections (the .NET runtime raises the soft limit to the hard one at
/// startup, so both are set). Otherwise as <see cref="ServerProcess"/>: free ports, the small real-data fixture,
/// configuration through environment variables, killed on dispose.
/// </summary>
public sealed class LimitedServer : IServerUnderAttack, IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LimitedServer(Process process, int grpcPort, int http1Port)
    {
        _process = process;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        Http1Address = new Uri($"http://127.0.0.1:{http1Port}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public int Pid => _process.Id;

    public Uri GrpcAddress { get; }

    public Uri Http1Address { get; }

    public bool HasExited => _process.HasExited;

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

    /// <summary>Open descriptors of the process now.</summary>
    public int OpenDescriptors => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    public static async Task<LimitedServer> StartAsync(int descriptorLimit, IDictionary<string, string>? environment = null)
    {
        int grpcPort = FreePort();
        int http1Port = FreePort();
        var info = new ProcessStartInfo("prlimit", [$"--nofile={descriptorLimit}:{descriptorLimit}", "dotnet", ServerProcess.ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedData.RepoRoot,
        };
        info.Environment["urls"] = $"http://127.0.0.1:{grpcPort}";
        info.Environment["Http1Urls"] = $"http://127.0.0.1:{http1Port}";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["MarketData__ImportPath"] = Fixtures.SmallImport;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        // prlimit runs the server in its own process (exec), so the pid is the server's
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new LimitedServer(process, grpcPort, http1Port);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilAliveAsync(ServerProcess.StartupLimit);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilAliveAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
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
