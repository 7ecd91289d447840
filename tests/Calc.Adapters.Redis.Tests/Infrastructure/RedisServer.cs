using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1, on a free port, without persistence, in a temp dir; killed
/// (and the dir removed) on dispose. <see cref="Kill"/> and <see cref="StartAsync"/> drive fault tests.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private Process? _process;
    private string? _configFile;

    private RedisServer(string executable, string[] extraArgs)
    {
        Executable = executable;
        _extraArgs = extraArgs;
        Directory = Path.Combine(Path.GetTempPath(), "calc-redis-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        Port = FreePort();
    }

    public string Executable { get; }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>Set when started with TLS: the TLS port (plain <see cref="Port"/> stays open).</summary>
    public int TlsPort { get; private set; }

    /// <summary>True between a successful start and a kill.</summary>
    public bool IsRunning => _process is { HasExited: false };

    public string UnixSocket => Path.Combine(Directory, "redis.sock");

    public string Configuration => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task<RedisServer> StartNewAsync(params string[] extraArgs)
    {
        var exe = FindExecutable() ?? throw new InvalidOperationException(RedisFactAttribute.MissingMessage);
        var server = new RedisServer(exe, extraArgs);
        await server.StartAsync();
        return server;
    }

    /// <summary>
    /// Starts with a config file (written to the server's dir, given first, as Sentinel requires) and extra
    /// arguments; <paramref name="configFile"/> gets the reserved port and dir (e.g. to name the cluster bus port).
    /// </summary>
    public static async Task<RedisServer> StartWithConfigFileAsync(Func<RedisServer, string> configFile, params string[] extraArgs)
    {
        var server = new RedisServer(FindExecutable() ?? throw new InvalidOperationException(RedisFactAttribute.MissingMessage), extraArgs);
        server._configFile = Path.Combine(server.Directory, "redis.conf");
        File.WriteAllText(server._configFile, configFile(server));
        await server.StartAsync();
        return server;
    }

    /// <summary>A server with its port and dir reserved but not running yet ("Redis is down at startup").</summary>
    public static RedisServer CreateStopped(params string[] extraArgs) =>
        new(FindExecutable() ?? throw new InvalidOperationException(RedisFactAttribute.MissingMessage), extraArgs);

    /// <summary>Starts with TLS on a second free port, using PEM files written to the server dir.</summary>
    public static async Task<RedisServer> StartWithTlsAsync(string certPem, string keyPem, params string[] extraArgs)
    {
        var exe = FindExecutable() ?? throw new InvalidOperationException(RedisFactAttribute.MissingMessage);
        int tlsPort = FreePort();
        var tmp = new RedisServer(exe, []);
        File.WriteAllText(Path.Combine(tmp.Directory, "server.crt"), certPem);
        File.WriteAllText(Path.Combine(tmp.Directory, "server.key"), keyPem);
        var server = new RedisServer(exe,
        [
            "--tls-port", tlsPort.ToString(CultureInfo.InvariantCulture),
            "--tls-cert-file", Path.Combine(tmp.Directory, "server.crt"),
            "--tls-key-file", Path.Combine(tmp.Directory, "server.key"),
            "--tls-auth-clients", "no",
            .. extraArgs,
        ]) { TlsPort = tlsPort };
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var args = new List<string>();
        if (_configFile is not null)
        {
            args.Add(_configFile);
        }

        args.AddRange(new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", Directory,
            "--unixsocket", UnixSocket,
            "--unixsocketperm", "700",
            "--enable-debug-command", "yes",
            "--loglevel", "warning",
        });
        args.AddRange(_extraArgs);
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var output = new StringBuilder();
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("redis-server exited at start: " + output);
            }

            if (await PingsAsync())
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new InvalidOperationException("redis-server did not answer PING within 30 s: " + output);
    }

    /// <summary>Kills the server process (SIGKILL): connections drop without a goodbye.</summary>
    public void Kill()
    {
        var p = _process;
        _process = null;
        if (p is null)
        {
            return;
        }

        try
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }

        p.Dispose();
        try
        {
            File.Delete(UnixSocket);
        }
        catch (IOException)
        {
            // not there
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }

        return ValueTask.CompletedTask;
    }

    private async Task<bool> PingsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            int n = await stream.ReadAsync(buffer);
            var reply = Encoding.ASCII.GetString(buffer, 0, n);
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
