using System.Net;
using System.Net.Sockets;

namespace Calc.Cli.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder in front of a server that, once, resets every connection it carries after
/// <see cref="CutAfterBytes"/> bytes went from the server to the client: the client sees its connection drop
/// mid-response, as when a replica dies or a network path breaks. Connections made after the cut are forwarded
/// normally. With <see cref="long.MaxValue"/> it never cuts: a plain forwarder that counts the bytes each way
/// (<see cref="BytesToClient"/>), which tells a test which of several servers carries a call.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Socket Client, Socket Server)> _open = [];
    private readonly Task _accepting;
    private long _toClient;
    private int _cut;

    public CuttingProxy(Uri target, long cutAfterBytes)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        CutAfterBytes = cutAfterBytes;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public long CutAfterBytes { get; }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>True once the connections were reset.</summary>
    public bool HasCut => Volatile.Read(ref _cut) == 1;

    public int Connections { get; private set; }

    /// <summary>Bytes forwarded from the server to clients so far, over every connection.</summary>
    public long BytesToClient => Interlocked.Read(ref _toClient);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException)
            {
                // the server is gone (killed): from now on connections are refused, as they would be connecting to it
                // directly (a forwarder that accepted and reset them would look like a live server to the client)
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                server.Dispose();
                _listener.Stop();
                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                client.Dispose();
                server.Dispose();
                return;
            }

            lock (_open)
            {
                _open.Add((client, server));
                Connections++;
            }

            _ = PumpAsync(client, server, toClient: false);
            _ = PumpAsync(server, client, toClient: true);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool toClient)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
                if (toClient && Interlocked.Add(ref _toClient, n) >= CutAfterBytes && Interlocked.Exchange(ref _cut, 1) == 0)
                {
                    ResetAll();
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the other side went away, or the cut closed this connection
        }

        // one side closed or failed (a killed server's kernel closes its end): the pair goes, both ends reset, so the
        // client sees its connection fail at once rather than half-open
        Reset(from, to);
    }

    private void Reset(Socket a, Socket b)
    {
        lock (_open)
        {
            _open.RemoveAll(pair => pair.Client == a || pair.Client == b);
        }

        foreach (var socket in new[] { a, b })
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
                // closed by the other pump
            }
        }
    }

    /// <summary>Closes every open connection with a TCP reset (linger 0), both sides.</summary>
    private void ResetAll()
    {
        lock (_open)
        {
            foreach (var (client, server) in _open)
            {
                client.LingerState = new LingerOption(true, 0);
                server.LingerState = new LingerOption(true, 0);
                client.Close();
                server.Close();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        ResetAll();
        _stop.Dispose();
    }
}
