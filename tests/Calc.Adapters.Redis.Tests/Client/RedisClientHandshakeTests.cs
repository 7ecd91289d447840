using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>The connection handshake, checked command by command against a scripted fake server.</summary>
public sealed class RedisClientHandshakeTests
{
    [Fact]
    public async Task Connect_ServerWithoutHello_FallsBackToResp2AuthSetnameSelect()
    {
        // Arrange: a pre-6.0 server answers HELLO with "unknown command"
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var seen = new List<string>();
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var reader = new CommandReader(socket);
            seen.Add(await reader.NextAsync());
            await socket.SendAsync("-ERR unknown command 'HELLO'\r\n"u8.ToArray());
            for (int i = 0; i < 3; i++)
            {
                seen.Add(await reader.NextAsync());
            }

            await socket.SendAsync("+OK\r\n+OK\r\n+OK\r\n"u8.ToArray());
            seen.Add(await reader.NextAsync());
            await socket.SendAsync("+PONG\r\n"u8.ToArray());
        });
        var options = RedisOptions.Parse("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + ",user=calc,password=pw,name=calc-7,defaultDatabase=2");
        await using var client = RedisClient.Start(options);

        // Act
        await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(30));
        var pong = await client.PingAsync();
        int protocol = client.Protocol; // read now: the fake hangs up after PONG, and a closed connection resets it
        await serve.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal("PONG", pong);
        Assert.Equal(2, protocol);
        Assert.Equal(["HELLO 3 AUTH calc pw SETNAME calc-7", "AUTH calc pw", "CLIENT SETNAME calc-7", "SELECT 2", "PING"], seen);
    }

    [Fact]
    public async Task Connect_HelloRejectsCredentials_DoesNotFallBackAndReportsTheError()
    {
        // Arrange
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await new CommandReader(socket).NextAsync();
            await socket.SendAsync("-WRONGPASS invalid username-password pair or user is disabled.\r\n"u8.ToArray());
            await Task.Delay(500);
        });
        var options = RedisOptions.Parse("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + ",password=bad,abortConnect=true");
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(10);

        // Act
        var error = await Record.ExceptionAsync(() => RedisClient.ConnectAsync(options));
        await serve;

        // Assert
        Assert.Contains("HELLO: WRONGPASS", Assert.IsType<RedisConnectionException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ServerNeverAnswersHello_FailsAtTheConnectTimeout()
    {
        // Arrange
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = RedisOptions.Parse("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + ",connectTimeout=300,abortConnect=true");

        // Act
        var error = await Record.ExceptionAsync(() => RedisClient.ConnectAsync(options));

        // Assert
        Assert.Contains("timed out after 300 ms", Assert.IsType<RedisConnectionException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentServer_CallsTimeOut_ThenTheConnectionIsDeclaredDeadAndDropped()
    {
        // Arrange: a server that accepts and never answers (a half-open connection)
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptSocketAsync();
        var options = RedisOptions.Parse("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + ",protocol=resp2,syncTimeout=200");
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(30);
        await using var client = RedisClient.Start(options);
        await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(30));
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionChanged += e => { if (!e.Connected) { lost.TrySetResult(e.Error); } };

        // Act
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var timeout = await Record.ExceptionAsync(async () => await client.PingAsync());
        var timedOutAfter = sw.Elapsed;
        var reason = await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var serverSide = await accepted;

        // Assert
        Assert.IsType<RedisTimeoutException>(timeout);
        Assert.True(timedOutAfter >= TimeSpan.FromMilliseconds(200), "timed out early, after " + timedOutAfter); // late is possible on a busy machine
        Assert.Contains("presumed dead", reason!.Message, StringComparison.Ordinal);
    }

    /// <summary>Reads the client's commands (RESP arrays of bulk strings) and renders each as one line.</summary>
    private sealed class CommandReader(Socket socket)
    {
        private readonly List<byte> _buffer = [];

        public async Task<string> NextAsync()
        {
            while (true)
            {
                var bytes = _buffer.ToArray();
                if (bytes.Length > 0 && RespParser.TryParse(bytes, out var command, out int used))
                {
                    _buffer.RemoveRange(0, used);
                    return string.Join(' ', command.Items.Select(a => Encoding.UTF8.GetString(a.Bytes)));
                }

                var chunk = new byte[4096];
                int n = await socket.ReceiveAsync(chunk);
                if (n == 0)
                {
                    throw new IOException("client closed");
                }

                _buffer.AddRange(chunk.AsSpan(0, n));
            }
        }
    }
}
