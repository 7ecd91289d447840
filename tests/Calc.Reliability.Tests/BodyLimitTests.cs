using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Calc.Reliability.Tests.Infrastructure;

namespace Calc.Reliability.Tests;

/// <summary>
/// HTTP/1.1 JSON bodies over the size limit or slower than the minimum data rate, sent on a raw loopback socket to
/// the real server process: 413 / 408 with a JSON google.rpc.Status naming the limit that applied (its figure as
/// configured and its key), whether the body declares a Content-Length or is chunked; the client's fault is never
/// an Error log with a stack trace; the server keeps answering. Every loop is bounded.
/// </summary>
public sealed class BodyLimitTests
{
    private const string Path = "/calc.v1.QuoteService/GetCbrRate";
    private const int MessageLimit = 64 * 1024;

    /// <summary>(Limits__MaxRequestBodyBytes or "" for the default, the limit that applies, its key).</summary>
    public static TheoryData<string, long, string> Limits => new()
    {
        // default body limit = message limit + 64 KiB: the message limit binds
        { "", MessageLimit, "Grpc:MaxReceiveMessageSize" },
        // an operator's lower body limit binds
        { "16384", 16384, "Limits:MaxRequestBodyBytes" },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task OversizedJsonBody_WithAndWithoutContentLength_Is413NamingTheLimit(string bodyLimit, long limit, string key)
    {
        var environment = new Dictionary<string, string> { ["Grpc__MaxReceiveMessageSize"] = MessageLimit.ToString(CultureInfo.InvariantCulture) };
        if (bodyLimit.Length > 0)
        {
            environment["Limits__MaxRequestBodyBytes"] = bodyLimit;
        }

        await using var server = await CalcProcess.StartAsync(environment);

        // a declared length over the limit is refused before the body is read; a chunked body once it passes the limit
        var declared = await SendAsync(server, $"Content-Length: {limit + 1}\r\n", Encoding.ASCII.GetBytes("{\"currency\":\""));
        var chunked = await SendAsync(server, "Transfer-Encoding: chunked\r\n", Chunked(limit + (64 * 1024)));

        foreach (var (name, answer) in new[] { ("Content-Length", declared), ("chunked", chunked) })
        {
            Assert.True(answer.Status == 413, $"{name}: {answer.Raw}");
            var status = answer.Json!.Value;
            Assert.Equal(8, status.GetProperty("code").GetInt32()); // RESOURCE_EXHAUSTED
            var info = ErrorInfo(status);
            Assert.Equal("MESSAGE_TOO_LARGE", info.GetProperty("reason").GetString());
            Assert.Equal(limit.ToString(CultureInfo.InvariantCulture), info.GetProperty("metadata").GetProperty("limit_bytes").GetString());
            Assert.Equal(key, info.GetProperty("metadata").GetProperty("limit_key").GetString());
            string message = status.GetProperty("message").GetString()!;
            Assert.Contains($"{limit.ToString(CultureInfo.InvariantCulture)} bytes ({key})", message, StringComparison.Ordinal);
        }

        await AssertHealthyAndQuietAsync(server);
    }

    [Fact]
    public async Task TrickledJsonBody_SlowerThanTheMinimumDataRate_Is408NamingTheRate()
    {
        await using var server = await CalcProcess.StartAsync();

        // one byte every 250 ms (4 B/s) of a declared 4 KiB body: Kestrel's minimum rate ends it after its grace period
        var answer = await TrickleAsync(server, TimeSpan.FromSeconds(60));

        Assert.True(answer.Status == 408, answer.Raw);
        var status = answer.Json!.Value;
        Assert.Equal(4, status.GetProperty("code").GetInt32()); // DEADLINE_EXCEEDED
        var info = ErrorInfo(status);
        Assert.Equal("REQUEST_BODY_TOO_SLOW", info.GetProperty("reason").GetString());
        string rate = info.GetProperty("metadata").GetProperty("min_bytes_per_second").GetString()!;
        Assert.True(double.Parse(rate, CultureInfo.InvariantCulture) > 4, rate);
        Assert.Equal("Limits:MinRequestBodyDataRate", info.GetProperty("metadata").GetProperty("limit_key").GetString());
        Assert.Contains($"{rate} bytes/s", status.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertHealthyAndQuietAsync(server);
    }

    private static async Task AssertHealthyAndQuietAsync(ServerProcess server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var probe = await http.GetAsync(new Uri(server.Http1Address, "/v1/cbr-rates/USD/2025-01-05"));
        Assert.Equal(System.Net.HttpStatusCode.OK, probe.StatusCode);
        Assert.False(server.HasExited);
        // the client's fault: no Error event, no stack trace, no "internal"
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"LogLevel\":\"Critical\"", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("BadHttpRequestException", server.Output, StringComparison.Ordinal);
    }

    private static JsonElement ErrorInfo(JsonElement status) =>
        status.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString()!.EndsWith("/google.rpc.ErrorInfo", StringComparison.Ordinal));

    /// <summary>A chunked body of about <paramref name="size"/> bytes (16 KiB chunks), without its terminating chunk.</summary>
    private static byte[] Chunked(long size)
    {
        var chunk = new byte[16 * 1024];
        Array.Fill(chunk, (byte)' ');
        using var body = new MemoryStream();
        for (long sent = 0; sent < size; sent += chunk.Length)
        {
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            body.Write(chunk);
            body.Write("\r\n"u8);
        }

        body.Write("0\r\n\r\n"u8);
        return body.ToArray();
    }

    /// <summary>Sends a POST with <paramref name="framing"/> headers and <paramref name="body"/> (the server may stop reading early), then reads the answer.</summary>
    private static async Task<Answer> SendAsync(ServerProcess server, string framing, byte[] body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Http1Address.Host, server.Http1Address.Port);
        var stream = client.GetStream();
        stream.ReadTimeout = 30_000;
        await stream.WriteAsync(Head(server, framing));
        try
        {
            for (int offset = 0; offset < body.Length; offset += 16 * 1024)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(16 * 1024, body.Length - offset)));
            }
        }
        catch (IOException)
        {
            // the server answered and closed while the rest was being sent: the answer is read below
        }

        return await ReadAnswerAsync(stream);
    }

    /// <summary>Declares a 4 KiB JSON body and sends it a byte every 250 ms until the server answers or <paramref name="limit"/> passes.</summary>
    private static async Task<Answer> TrickleAsync(ServerProcess server, TimeSpan limit)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Http1Address.Host, server.Http1Address.Port);
        var stream = client.GetStream();
        stream.ReadTimeout = 30_000;
        await stream.WriteAsync(Head(server, "Content-Length: 4096\r\n"));
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < limit && client.Available == 0)
            {
                await stream.WriteAsync(" "u8.ToArray());
                await Task.Delay(250);
            }
        }
        catch (IOException)
        {
            // closed after answering
        }

        return await ReadAnswerAsync(stream);
    }

    private static byte[] Head(ServerProcess server, string framing) => Encoding.ASCII.GetBytes(
        $"POST {Path} HTTP/1.1\r\nHost: {server.Http1Address.Authority}\r\nContent-Type: application/json\r\n{framing}\r\n");

    /// <summary>Reads until the server closes or the chunked answer ends; decodes status and JSON body.</summary>
    private static async Task<Answer> ReadAnswerAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (Encoding.ASCII.GetString(received.ToArray()).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // reset after the answer
        }

        string raw = Encoding.UTF8.GetString(received.ToArray());
        int split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!raw.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || split < 0)
        {
            return new Answer(0, null, raw);
        }

        int status = int.Parse(raw.AsSpan(9, 3), CultureInfo.InvariantCulture);
        string head = raw[..split];
        string body = raw[(split + 4)..];
        if (head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new Answer(status, body.Length == 0 ? null : JsonDocument.Parse(body).RootElement, raw);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        int at = 0;
        while (true)
        {
            int end = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            int size = int.Parse(chunked.AsSpan(at, end - at), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return body.ToString();
            }

            body.Append(chunked, end + 2, size);
            at = end + 2 + size + 2;
        }
    }

    private sealed record Answer(int Status, JsonElement? Json, string Raw);
}
