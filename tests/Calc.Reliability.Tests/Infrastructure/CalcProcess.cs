using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Server.Tests.Infrastructure;
using Calc.Tests.Shared;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>
/// A real Calc.Server process on 127.0.0.1 (as <see cref="ServerProcess"/>) that can also be sent SIGTERM, serve
/// gRPC over TLS, and be measured (RSS, open file descriptors, threads) through /proc.
/// </summary>
public sealed class CalcProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CalcProcess(Process process, Uri grpc, Uri http1)
    {
        _process = process;
        GrpcAddress = grpc;
        Http1Address = http1;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public Uri GrpcAddress { get; }

    public Uri Http1Address { get; }

    public int Pid => _process.Id;

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

    /// <summary>Starts the server (gRPC on https:// when <paramref name="tls"/>) and waits until /alive answers.</summary>
    public static async Task<CalcProcess> StartAsync(IDictionary<string, string>? environment = null, bool tls = false)
    {
        var grpc = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{FreePort()}");
        var http1 = new Uri($"http://127.0.0.1:{FreePort()}");
        var info = new ProcessStartInfo("dotnet", [ServerProcess.ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedData.RepoRoot,
        };
        info.Environment["urls"] = grpc.ToString().TrimEnd('/');
        info.Environment["Http1Urls"] = http1.ToString().TrimEnd('/');
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["MarketData__ImportPath"] = Fixtures.SmallImport;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new CalcProcess(process, grpc, http1);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilAliveAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Sends SIGTERM (what an orchestrator sends to stop a container).</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Resident set size, open descriptors and threads of the server process, from /proc.</summary>
    public ProcessSample Sample()
    {
        long rssKb = 0;
        int threads = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rssKb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
            }
        }

        int fds = 0;
        int sockets = 0;
        foreach (var fd in Directory.GetFileSystemEntries($"/proc/{Pid}/fd"))
        {
            fds++;
            try
            {
                sockets += new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true ? 1 : 0;
            }
            catch (IOException)
            {
                // closed while listing
            }
        }

        return new ProcessSample(DateTime.UtcNow, rssKb * 1024, fds, sockets, threads);
    }

    /// <summary>Open descriptors by kind (socket, pipe, anon_inode:[eventpoll], /path…), for diagnosing growth.</summary>
    public string DescribeFds()
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var fd in Directory.GetFileSystemEntries($"/proc/{Pid}/fd"))
        {
            string target;
            try
            {
                target = new FileInfo(fd).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                continue;
            }

            string kind = target.StartsWith('/') ? target : target.Split('[')[0].Split(':')[0] + (target.StartsWith("anon_inode:", StringComparison.Ordinal) ? target[10..] : "");
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        return string.Join(", ", kinds.Where(k => k.Value > 1 || !k.Key.StartsWith('/')).Select(k => $"{k.Key}={k.Value}"));
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

/// <summary>One measurement of the server process.</summary>
/// <remarks>Descriptors also grow when assemblies load (each is mapped); sockets are what a connection leak shows in.</remarks>
public sealed record ProcessSample(DateTime At, long RssBytes, int OpenFds, int Sockets, int Threads)
{
    public override string ToString() => $"rss={RssBytes / (1024.0 * 1024):0.0} MiB fds={OpenFds} sockets={Sockets} threads={Threads}";
}
