using System.Net;
using System.Net.Sockets;
using System.Text;
using Calc.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>
/// Floods of idle TCP connections (nothing sent) against the real server process: past the connection cap the
/// server derives from its descriptor limit, and past the per-address cap. The run: ~20 600 silent
/// connections against a 20 000-descriptor process killed it ("Out of memory.", exit 134) or left its gRPC
/// listener never accepting again.
/// </summary>
[Collection(AttackCollection.Name)]
[Trait("Category", "Attack")]
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    [Fact]
    public async Task IdleConnections_PastTheDescriptorDerivedCap_ProcessLives_NewConnectionsRefused_AcceptsAgainOnceClosed()
    {
        // RLIMIT_NOFILE 1024 and the default reserve of 512: at most 512 connections over both listeners
        const int descriptorLimit = 1024;
        await using var server = await LimitedServer.StartAsync(descriptorLimit, AttackServerFixture.Environment);
        Assert.Contains("512 connections (default 10000, RLIMIT_NOFILE 1024 - 512 reserved)", server.Output, StringComparison.Ordinal);
        var target = Attackers.EndPoint(server.GrpcAddress);
        await using var measure = await AttackMeasurement.StartAsync(server);

        // 1 200 connections from 8 addresses (150 each, under the per-address cap): past the cap and past the descriptor limit
        var sources = Enumerable.Range(20, 8).Select(Attackers.Address).ToArray();
        var sockets = await Http2Attacks.IdleConnectionsAsync(target, sources, 1200);
        int descriptorsDuring;
        bool newConnectionRefused;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            descriptorsDuring = server.OpenDescriptors;
            newConnectionRefused = !await AliveOnNewConnectionAsync(server.Http1Address);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        var figures = await measure.FinishAsync("1 200 idle connections, descriptor limit 1 024",
            $"{sockets.Count} connected, server descriptors {descriptorsDuring} of {descriptorLimit}", Http2AttackTests.MaxRecovery);
        output.WriteLine(figures.ToString());

        Assert.False(server.HasExited, "the server process died:\n" + server.Output);
        Assert.True(descriptorsDuring < descriptorLimit - 64, $"{descriptorsDuring} descriptors open of {descriptorLimit}");
        // the cap holds over both listeners: the HTTP/1.1 one turns a new connection away while the flood holds the gRPC one
        Assert.True(newConnectionRefused, "a new connection was accepted while 512 were open");
        Assert.Contains("over Limits:MaxConnections (512)", server.Output, StringComparison.Ordinal);
        // the legitimate caller's connection was open before the flood: it is served throughout
        Assert.True(figures.Share >= Http2AttackTests.MinShareAnswered, figures.ToString());
        Assert.True(figures.RecoverySeconds <= Http2AttackTests.MaxRecovery.TotalSeconds, figures.ToString());
        Assert.True(await AliveOnNewConnectionAsync(server.Http1Address), "the HTTP/1.1 listener does not accept again");
        Assert.True(figures.LogBytes <= Http2AttackTests.MaxLogBytes, $"the log grew by {figures.LogBytes} bytes");
    }

    [Fact]
    public async Task IdleConnections_FromOneAddress_PastThePerAddressCap_OtherAddressesServed()
    {
        await using var process = await CalcProcess.StartAsync(AttackServerFixture.Environment);
        var server = new ServerTarget(process);
        var target = Attackers.EndPoint(server.GrpcAddress);
        await using var measure = await AttackMeasurement.StartAsync(server);

        var sockets = await Http2Attacks.IdleConnectionsAsync(target, [Attackers.Address(30)], 1100);
        int socketsDuring;
        bool otherAddressServed;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            socketsDuring = process.Sample().Sockets;
            otherAddressServed = await AliveOnNewConnectionAsync(server.Http1Address);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        var figures = await measure.FinishAsync("1 100 idle connections from one address",
            $"{sockets.Count} connected, server sockets {socketsDuring}", Http2AttackTests.MaxRecovery);
        output.WriteLine(figures.ToString());

        Assert.False(server.HasExited);
        // 1 000 from the attacker (Limits:MaxConnectionsPerAddress), the rest are closed on arrival
        Assert.InRange(socketsDuring, 1000, 1000 + 40);
        Assert.Contains("over Limits:MaxConnectionsPerAddress (1000)", server.Output, StringComparison.Ordinal);
        Assert.True(otherAddressServed, "a new connection from another address was not served");
        Assert.True(figures.Share >= Http2AttackTests.MinShareAnswered, figures.ToString());
        Assert.True(figures.LogBytes <= Http2AttackTests.MaxLogBytes, $"the log grew by {figures.LogBytes} bytes");
    }

    /// <summary>GET /alive on a new connection: true when it answers 200 within 3 s, false when the server closes the connection.</summary>
    private static async Task<bool> AliveOnNewConnectionAsync(Uri http1)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, http1.Port), timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /alive HTTP/1.1\r\nHost: 127.0.0.1:{http1.Port}\r\nConnection: close\r\n\r\n"), timeout.Token);
            var buffer = new byte[1024];
            int read = await socket.ReceiveAsync(buffer, timeout.Token);
            return read > 0 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
