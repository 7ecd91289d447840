using System.Diagnostics;
using System.Net.Sockets;
using Calc.Transport.Grpc.Tests.Infrastructure;

namespace Calc.Transport.Grpc.Tests.Interop;

/// <summary>
/// tests/Calc.Interop.Server as its own process (the build output next to this test assembly), h2c on
/// 127.0.0.1 plus an HTTP/1.1 Connect port; killed when the tests end.
/// </summary>
public sealed class InteropServerProcess : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public int Http1Port { get; private set; }

    public async Task InitializeAsync()
    {
        Port = ServerFixture.FreePort();
        Http1Port = ServerFixture.FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Calc.Interop.Server.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(dotnet, $"\"{dll}\" --port {Port} --http1-port {Http1Port}")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException("interop server exited with code " + _process.ExitCode);
                }

                await Task.Delay(100);
            }
        }

        throw new TimeoutException("interop server did not listen on port " + Port + " within 30 s");
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
}
