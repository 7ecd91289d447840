using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Calc.Transport.Grpc.Tests.Interop;

/// <summary>
/// tests/Calc.Interop.Server as its own process (the build output next to this test assembly), h2c on
/// 127.0.0.1; killed when the tests end.
/// </summary>
public sealed class InteropServerProcess : IAsyncLifetime
{
    // a loaded CI machine can take long to start a .NET process; a hang still ends here
    private static readonly TimeSpan StartupLimit = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; private set; }


    public async Task InitializeAsync()
    {
        // the ports were free a moment ago; another test process may bind one first: then start again on fresh ones
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync())
            {
                return;
            }

            if (attempt == 3 || !Output().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"interop server exited with code {_process!.ExitCode}:\n{Output()}");
            }

            _process!.Dispose();
        }
    }

    private async Task<bool> TryStartAsync()
    {
        Port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Calc.Interop.Server.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(dotnet, $"\"{dll}\" --port {Port}")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartupLimit)
        {
            try
            {
                foreach (var port in new[] { Port })
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port);
                }

                return true;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    _process.WaitForExit(); // all of its output
                    return false;
                }

                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"interop server did not listen on port {Port} within {StartupLimit}:\n{Output()}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
