using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Client;

/// <summary>A connection came up (<see cref="Error"/> null) or went down / failed to come up.</summary>
internal sealed record RedisConnectionEvent(bool Connected, string Endpoint, Exception? Error);

/// <summary>
/// Calc's RESP client: one long-lived connection shared by every caller, commands pipelined, async only.
/// A background loop connects (TCP or unix socket, optional TLS), negotiates RESP3 with <c>HELLO 3</c>
/// (RESP2 fallback), authenticates, names the client and selects the database, then waits for the
/// connection to drop and reconnects with capped exponential backoff. Commands issued while there is no
/// connection fail at once with <see cref="RedisConnectionException"/>; commands whose reply is late fail
/// with <see cref="RedisTimeoutException"/> at their timeout without disturbing anyone else's reply.
/// </summary>
/// <remarks>
/// Replies complete their callers inline on the connection's reader thread (no thread-pool hop per reply):
/// that is what lets 64 callers keep the pipe full, about 5× the throughput of asynchronous completion on
/// two cores. The price is a rule for callers: after an await on this client, do a little work or leave
/// the thread (<see cref="Task.Yield"/>), never block. <see cref="Cache.RedisQuoteCache"/> yields before
/// returning to application code; a slow caller cannot stretch another caller's wait past its timeout,
/// because timeouts are enforced by a separate timer.
/// </remarks>
internal sealed class RedisClient : IAsyncDisposable
{
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(1);

    private readonly RedisOptions _options;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ManualResetEventSlim _stopSweeper = new();
    private readonly Thread _sweeper;
    private readonly TimeSpan _sweepPeriod;
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _deadAfter;
    private Task _connectLoop = Task.CompletedTask;
    private volatile RespSession? _session;
    private volatile Exception? _lastError;
    private int _endpointIndex;

    private RedisClient(RedisOptions options)
    {
        _options = options;
        var period = TimeSpan.FromTicks(Math.Clamp(options.CommandTimeout.Ticks / 5,
            TimeSpan.FromMilliseconds(5).Ticks, TimeSpan.FromMilliseconds(100).Ticks));
        _deadAfter = TimeSpan.FromTicks(Math.Max(options.CommandTimeout.Ticks * 4, TimeSpan.FromSeconds(5).Ticks));
        _sweepPeriod = period;

        // timeouts are enforced by a dedicated thread, so a starved thread pool cannot stretch them
        _sweeper = new Thread(SweepLoop) { IsBackground = true, Name = "calc-redis-timeouts" };
        _sweeper.Start();
    }

    /// <summary>Raised on every connect, disconnect and failed attempt (from a background thread).</summary>
    public event Action<RedisConnectionEvent>? ConnectionChanged;

    public RedisOptions Options => _options;

    public bool IsConnected => _session is { IsClosed: false };

    /// <summary>Why the last connection attempt failed or the last connection dropped (null while connected).</summary>
    internal Exception? LastError => _lastError;

    /// <summary>Reply slots still in the current connection's FIFO, late replies of timed-out callers included.</summary>
    internal int PendingReplies => _session?.PendingCount ?? 0;

    /// <summary>2 or 3: the protocol the current connection negotiated (0 when not connected).</summary>
    public int Protocol { get; private set; }

    /// <summary>
    /// Creates the client and starts connecting in the background. With <c>abortConnect=true</c> this waits
    /// for the first attempt and throws if it failed; otherwise it returns at once (StackExchange.Redis's
    /// <c>abortConnect=false</c>): startup never waits for, or fails because of, Redis.
    /// </summary>
    public static async Task<RedisClient> ConnectAsync(RedisOptions options, CancellationToken cancellationToken = default)
    {
        var client = Start(options);
        if (options.AbortOnConnectFail)
        {
            await client._firstAttempt.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!client.IsConnected)
            {
                var error = client._lastError;
                await client.DisposeAsync().ConfigureAwait(false);
                throw new RedisConnectionException("could not connect to Redis " + options + ": " + error?.Message, error!);
            }
        }

        return client;
    }

    /// <summary>Creates the client; connecting happens in the background.</summary>
    public static RedisClient Start(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new RedisClient(options);
        client._connectLoop = Task.Run(client.ConnectLoopAsync);
        return client;
    }

    /// <summary>Waits until a connection is up (tests, warm-up); throws on timeout.</summary>
    public async Task WaitUntilConnectedAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!IsConnected)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new RedisConnectionException("Redis " + _options + " not connected after " + timeout + ": " + _lastError?.Message);
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Sends one command; the reply may be an error value (see <see cref="RedisCommands"/> for typed helpers).</summary>
    public ValueTask<RespValue> ExecuteAsync(ReadOnlySpan<RedisArg> args, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RespValue>(cancellationToken);
        }

        var session = _session;
        var reply = new SingleReply(args.IsEmpty ? null : args[0].Text, _options.CommandTimeout);
        if (session is null || !session.TryEnqueue(args, reply))
        {
            return ValueTask.FromException<RespValue>(NotConnected());
        }

        reply.RegisterCancellation(cancellationToken);
        return reply.Task;
    }

    /// <summary>Sends a batch in one write; the replies come back in order, one per command.</summary>
    public ValueTask<RespValue[]> ExecuteAsync(RedisBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return ValueTask.FromResult(Array.Empty<RespValue>());
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RespValue[]>(cancellationToken);
        }

        var session = _session;
        var reply = new BatchReply(batch.FirstCommand, batch.Count, _options.CommandTimeout);
        if (session is null || !session.TryEnqueue(batch.Encoded, reply))
        {
            return ValueTask.FromException<RespValue[]>(NotConnected());
        }

        reply.RegisterCancellation(cancellationToken);
        return reply.Task;
    }

    /// <summary>Drops the current connection (tests of the reconnect path; operators never need it).</summary>
    internal void DropConnection(string why) => _session?.Close(new RedisConnectionException(why));

    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _stopSweeper.Set();
        _session?.Close(new RedisConnectionException("the Redis client was disposed"));
        try
        {
            await _connectLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }

        if (Thread.CurrentThread != _sweeper)
        {
            _sweeper.Join(); // (a timed-out caller's continuation may run on the sweeper and dispose us)
            _stopSweeper.Dispose();
        }

        _shutdown.Dispose();
    }

    private RedisConnectionException NotConnected()
    {
        var why = _lastError;
        return new RedisConnectionException(_shutdown.IsCancellationRequested
            ? "the Redis client was disposed"
            : "Redis " + _options + " is not connected" + (why is null ? " (connecting)" : " (" + why.Message + ")")
                + "; the command was not sent");
    }

    private void SweepLoop()
    {
        while (!_stopSweeper.Wait(_sweepPeriod))
        {
            Sweep();
        }
    }

    private void Sweep()
    {
        var session = _session;
        if (session is null)
        {
            return;
        }

        var oldest = session.SweepTimeouts(Stopwatch.GetTimestamp());
        if (oldest > _deadAfter)
        {
            session.Close(new RedisConnectionException(string.Create(CultureInfo.InvariantCulture,
                $"Redis {session.Endpoint} sent no reply for {oldest.TotalSeconds:0.#} s; connection presumed dead")));
        }
    }

    private async Task ConnectLoopAsync()
    {
        var token = _shutdown.Token;
        int failures = 0;
        while (!token.IsCancellationRequested)
        {
            RespSession? session = null;
            try
            {
                session = await ConnectOnceAsync(token).ConfigureAwait(false);
                _session = session;
                _lastError = null;
                _firstAttempt.TrySetResult();
                Raise(new RedisConnectionEvent(true, session.Endpoint, null));
                long upSince = Stopwatch.GetTimestamp();
                var reason = await session.Closed.WaitAsync(token).ConfigureAwait(false);
                _lastError = reason;
                Protocol = 0;
                Raise(new RedisConnectionEvent(false, session.Endpoint, reason));

                // reconnect at once after a connection that served a while; one that dies at once (server at
                // maxclients, a proxy without a backend) counts as a failed attempt, so backoff applies
                failures = Stopwatch.GetElapsedTime(upSince) < StableConnection ? failures + 1 : 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _lastError = ex;
                failures++;
                _firstAttempt.TrySetResult();
                Raise(new RedisConnectionEvent(false, _options.Endpoints[0].ToString(), ex));
            }

            if (failures > 0)
            {
                try
                {
                    await Task.Delay(Backoff(failures), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        _session?.Close(new RedisConnectionException("the Redis client was disposed"));
        _firstAttempt.TrySetResult();
    }

    /// <summary>The delay before the next attempt after <paramref name="failures"/> failed ones, with random jitter.</summary>
    internal TimeSpan Backoff(int failures)
    {
#pragma warning disable CA5394 // jitter for retry spreading, not security
        return Backoff(failures, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, Random.Shared.NextDouble());
#pragma warning restore CA5394
    }

    /// <summary>
    /// base·2^(n−1), capped at <paramref name="maxDelay"/>, then ±20 % jitter (<paramref name="jitter"/> in [0, 1)
    /// maps to ×0.8 … ×1.2) so that many replicas do not reconnect in lockstep.
    /// </summary>
    internal static TimeSpan Backoff(int failures, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        double ms = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        ms = Math.Min(ms, maxDelay.TotalMilliseconds);
        ms *= 0.8 + (Math.Clamp(jitter, 0, 1) * 0.4);
        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>
    /// Opens one connection. Connect and TLS are blocking calls (this loop runs in the background), aborted
    /// by closing the socket at the connect timeout. That keeps the socket in blocking mode: .NET on Unix
    /// switches a socket to non-blocking for good after its first async operation and then completes even
    /// synchronous calls through the thread pool, which would defeat the dedicated reader and writer.
    /// </summary>
    private async Task<RespSession> ConnectOnceAsync(CancellationToken shutdown)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        timeout.CancelAfter(_options.ConnectTimeout);
        var endpoint = _options.Endpoints[_endpointIndex++ % _options.Endpoints.Count];
        Socket? socket = null;
        RespSession? session = null;
        var abort = default(CancellationTokenRegistration);
        try
        {
            socket = OpenSocket(endpoint, timeout.Token);
            abort = timeout.Token.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = _options.SslHost ?? endpoint.Host,
                    EnabledSslProtocols = _options.SslProtocols,
                    RemoteCertificateValidationCallback = _options.CertificateValidation,
                });
            }

            session = new RespSession(stream, socket, endpoint.ToString());
            session.Start();
            Protocol = await HandshakeAsync(session, timeout.Token).ConfigureAwait(false);
            abort.Dispose(); // waits for a racing timeout callback; after this the socket is ours
            timeout.Token.ThrowIfCancellationRequested();
            return session;
        }
        catch (Exception ex)
        {
            abort.Dispose();
            var error = (timeout.IsCancellationRequested || ex is OperationCanceledException) && !shutdown.IsCancellationRequested
                ? new RedisConnectionException(string.Create(CultureInfo.InvariantCulture,
                    $"connect to Redis {endpoint} timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms"), ex)
                : ex;
            if (session is not null)
            {
                session.Close(error);
            }
            else
            {
                socket?.Dispose();
            }

            if (error == ex)
            {
                throw;
            }

            throw error;
        }
    }

    /// <summary>
    /// Connects (blocking) to the unix socket, or to the first resolved address that accepts; a socket per
    /// attempt, of that address's family (IPv6 may be disabled on the host). The timeout closes the socket.
    /// </summary>
    private Socket OpenSocket(RedisEndpoint endpoint, CancellationToken timeout)
    {
        if (endpoint.UnixPath is not null)
        {
            return Connect(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
                new UnixDomainSocketEndPoint(endpoint.UnixPath), timeout);
        }

        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : Dns.GetHostAddresses(endpoint.Host);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)_options.KeepAlive.TotalSeconds);
                return Connect(socket, new IPEndPoint(address, endpoint.Port), timeout);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static Socket Connect(Socket socket, EndPoint endpoint, CancellationToken timeout)
    {
        try
        {
            using (timeout.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
            {
                socket.Connect(endpoint);
            }

            timeout.ThrowIfCancellationRequested();
            return socket;
        }
        catch
        {
            socket.Dispose();
            timeout.ThrowIfCancellationRequested();
            throw;
        }
    }

    /// <summary>HELLO 3 (or AUTH for RESP2), CLIENT SETNAME, SELECT; returns the negotiated protocol.</summary>
    private async Task<int> HandshakeAsync(RespSession session, CancellationToken token)
    {
        int protocol = 2;
        if (_options.Protocol == RedisProtocol.Resp3)
        {
            var hello = await SendAsync(session, HelloArgs(), token).ConfigureAwait(false);
            if (!hello.IsError)
            {
                protocol = 3;
            }
            else if (!IsUnknownCommand(hello.ErrorMessage))
            {
                throw new RedisServerException("Redis handshake failed: HELLO: " + hello.ErrorMessage);
            }
        }

        var batch = new RedisBatch();
        var names = new List<string>();
        if (protocol == 2 && _options.Password is not null)
        {
            if (_options.User is not null)
            {
                batch.Add("AUTH", _options.User, _options.Password);
            }
            else
            {
                batch.Add("AUTH", _options.Password);
            }

            names.Add("AUTH");
        }

        if (protocol == 2 && _options.ClientName is not null)
        {
            batch.Add("CLIENT", "SETNAME", _options.ClientName);
            names.Add("CLIENT SETNAME");
        }

        if (_options.DefaultDatabase != 0)
        {
            batch.Add("SELECT", _options.DefaultDatabase);
            names.Add("SELECT");
        }

        if (batch.Count > 0)
        {
            var reply = new BatchReply(batch.FirstCommand, batch.Count, _options.ConnectTimeout);
            if (!session.TryEnqueue(batch.Encoded, reply))
            {
                throw new RedisConnectionException("Redis " + session.Endpoint + " closed the connection during the handshake");
            }

            reply.RegisterCancellation(token);
            var replies = await reply.Task.ConfigureAwait(false);
            for (int i = 0; i < replies.Length; i++)
            {
                if (replies[i].IsError)
                {
                    throw new RedisServerException("Redis handshake failed: " + names[i] + ": " + replies[i].ErrorMessage);
                }
            }
        }

        return protocol;
    }

    private RedisArg[] HelloArgs()
    {
        var args = new List<RedisArg> { "HELLO", 3L };
        if (_options.Password is not null)
        {
            args.Add("AUTH");
            args.Add(_options.User ?? "default");
            args.Add(_options.Password);
        }

        if (_options.ClientName is not null)
        {
            args.Add("SETNAME");
            args.Add(_options.ClientName);
        }

        return [.. args];
    }

    /// <summary>Servers before Redis 6 do not know HELLO; a server may also refuse protocol 3 (NOPROTO).</summary>
    private static bool IsUnknownCommand(string error) =>
        error.StartsWith("NOPROTO", StringComparison.Ordinal)
        || error.StartsWith("ERR unknown command", StringComparison.OrdinalIgnoreCase);

    private static async Task<RespValue> SendAsync(RespSession session, RedisArg[] args, CancellationToken token)
    {
        var reply = new SingleReply(args[0].Text, Timeout.InfiniteTimeSpan);
        if (!session.TryEnqueue(args, reply))
        {
            throw new RedisConnectionException("Redis " + session.Endpoint + " closed the connection during the handshake");
        }

        reply.RegisterCancellation(token);
        return await reply.Task.ConfigureAwait(false);
    }

    private void Raise(RedisConnectionEvent e)
    {
        try
        {
            ConnectionChanged?.Invoke(e);
        }
#pragma warning disable CA1031 // a subscriber's bug must not stop the reconnect loop
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
