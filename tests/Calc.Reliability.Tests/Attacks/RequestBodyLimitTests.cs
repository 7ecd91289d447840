using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Grpc.Core;

namespace Calc.Reliability.Tests.Attacks;

/// <summary>
/// The request body guard's answers, against a real server with small limits so each case takes seconds: a 1 MiB
/// message limit, so a caller may hold 1 MiB + 5 bytes of unfinished messages (the least
/// <c>Limits:MaxBufferedRequestBytesPerCaller</c> may be); a message must arrive within 2 s of its first byte; a
/// client stream may wait 3 s for its next message; a 64 KiB stream window, so a client's write of a message head
/// returns only once the server has read all but the last window of it.
/// </summary>
[Collection(AttackCollection.Name)]
[Trait("Category", "Attack")]
public sealed class RequestBodyLimitTests : IAsyncLifetime
{
    private const int MessageLimit = 1024 * 1024;
    private const string Recognize = "calc.v1.IncomeService/RecognizeIncome";

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await CalcProcess.StartAsync(new Dictionary<string, string>
    {
        ["Grpc__MaxReceiveMessageSize"] = MessageLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__MaxBufferedRequestBytesPerCaller"] = (MessageLimit + 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__MessageReceiveTimeout"] = "00:00:02",
        ["Limits__StreamIdleTimeout"] = "00:00:03",
        ["Grpc__InitialStreamWindowSize"] = "65536",
    });

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task UnfinishedMessage_EndsWithDeadlineExceeded_MessageTimeout_AfterTheLimit()
    {
        using var http = Wire.NewH2Client();
        var clock = Stopwatch.StartNew();
        // a 1 000-byte message of which 500 bytes come, then nothing (the body never ends)
        var (status, reason, message) = await CallAsync(http, Recognize, [.. Wire.Frame(new byte[1000]).AsSpan(0, 505)]);

        Assert.Equal(("DEADLINE_EXCEEDED", "MESSAGE_TIMEOUT"), (status, reason));
        Assert.Contains("Limits:MessageReceiveTimeout", message, StringComparison.Ordinal);
        // checked once a second: ended between the limit and the limit plus a tick (and a loaded machine's delay)
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task IdleClientStream_EndsWithDeadlineExceeded_StreamIdleTimeout()
    {
        using var channel = RpcChannel.For(_server.GrpcAddress);
        var income = new IncomeService.IncomeServiceClient(channel);
        var clock = Stopwatch.StartNew();
        using var call = income.StreamRecognizeIncome(deadline: DateTime.UtcNow.AddSeconds(30));
        // nothing is written: the server waits for the first message, then gives up
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal("DEADLINE_EXCEEDED", ended.StatusName());
        Assert.Equal("STREAM_IDLE_TIMEOUT", RpcAssert.ReasonOf(ended));
        Assert.Contains("Limits:StreamIdleTimeout", ended.Status.Detail, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task SecondUnfinishedMessage_PastTheCallerBuffer_ResourceExhausted_RequestBufferFull_FirstStillCompletes()
    {
        using var http = Wire.NewH2Client();
        // the first call: GetCbrRate padded to ~1 MiB with an unknown field; 1 000 KiB of it come, then it waits
        byte[] padded = Wire.Frame(PaddedRateRequest(1_040_000));
        const int headLength = 1000 * 1024;
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = CallAsync(http, "calc.v1.QuoteService/GetCbrRate", padded[..headLength], rest.Task, padded[headLength..], sent);
        await Task.WhenAny(sent.Task, first, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(sent.Task.IsCompleted, (first.IsCompleted ? $"the first call ended early: {await first}" : "the first call's head was not read in 30 s")
            + "\n" + (_server.Output.Length > 6000 ? _server.Output[^6000..] : _server.Output));
        // the write returned once all but the last 64 KiB window was read; the server reads that too in a moment
        await Task.Delay(TimeSpan.FromSeconds(1));

        // a second call of the same caller brings 60 KiB more of a 300 KiB message: over the caller's 1 MiB + 5 bytes
        var (status, reason, message) = await CallAsync(http, Recognize, [.. Wire.Frame(new byte[300 * 1024]).AsSpan(0, 60 * 1024)]);
        rest.SetResult();
        var firstOutcome = await first;

        Assert.Equal(("RESOURCE_EXHAUSTED", "REQUEST_BUFFER_FULL"), (status, reason));
        Assert.Contains("Limits:MaxBufferedRequestBytesPerCaller", message, StringComparison.Ordinal);
        // the first message came whole and is answered (the unknown padding field is skipped)
        Assert.Equal(("OK", null), (firstOutcome.Status, firstOutcome.Reason));
    }

    [Fact]
    public async Task JsonBody_StalledBeforeItsEnd_Http408_MessageTimeout_NoErrorLogged()
    {
        int logStart = _server.Output.Length;
        // 1C-style JSON over HTTP/1.1: Content-Length 1 000, 500 bytes sent, then nothing
        var (answer, answeredAfter) = await RawHttp1TimedAsync("POST /v1/income:recognize", 1000, 500);

        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        Assert.Contains("\"reason\": \"MESSAGE_TIMEOUT\"", answer, StringComparison.Ordinal);
        Assert.Contains("Limits:MessageReceiveTimeout", answer, StringComparison.Ordinal);
        Assert.InRange(answeredAfter, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
        await Task.Delay(500);
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", _server.Output[logStart..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonBody_StatedLengthPastTheCallerBuffer_Http429_RequestBufferFull_BeforeTheBodyIsSent()
    {
        // a first JSON body of 800 KiB stated holds that much of the caller's 1 MiB + 5 bytes while it is sent
        var first = RawHttp1Async("POST /v1/income:recognize", 800 * 1024, 10);
        await Task.Delay(TimeSpan.FromSeconds(1));
        string second = await RawHttp1Async("POST /v1/income:recognize", 300 * 1024, 0);

        Assert.StartsWith("HTTP/1.1 429", second, StringComparison.Ordinal);
        Assert.Contains("\"reason\": \"REQUEST_BUFFER_FULL\"", second, StringComparison.Ordinal);
        Assert.Contains("Retry-After: 1", second, StringComparison.Ordinal);
        // the first one is ended by the message timeout, with its own answer
        Assert.StartsWith("HTTP/1.1 408", await first, StringComparison.Ordinal);
    }

    /// <summary>
    /// A JSON request on a new HTTP/1.1 connection stating <paramref name="length"/> body bytes and sending
    /// <paramref name="sent"/> of them; the answer as text (read until the server closes or 10 s pass).
    /// </summary>
    private async Task<string> RawHttp1Async(string requestLine, int length, int sent) => (await RawHttp1TimedAsync(requestLine, length, sent)).Answer;

    /// <summary><see cref="RawHttp1Async"/>, with the time from sending to the first byte of the answer.</summary>
    private async Task<(string Answer, TimeSpan FirstByte)> RawHttp1TimedAsync(string requestLine, int length, int sent)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _server.Http1Address.Port);
        string head = $"{requestLine} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n";
        byte[] body = [.. "{\"receipts\":["u8, .. Enumerable.Repeat((byte)' ', Math.Max(0, sent - 13))];
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(head));
        if (sent > 0)
        {
            await socket.SendAsync(body.AsMemory(0, sent));
        }

        var answer = new System.Text.StringBuilder();
        var buffer = new byte[8192];
        var clock = Stopwatch.StartNew();
        var firstByte = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                firstByte = answer.Length == 0 ? clock.Elapsed : firstByte;
                answer.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
            // the server kept the connection open: what came is the answer
        }
        catch (System.Net.Sockets.SocketException)
        {
            // closed with part of the body unread, the server's side resets the connection after its answer
        }

        return (answer.ToString(), firstByte);
    }

    /// <summary>GetCbrRateRequest{USD, 2025-01-05} with an unknown field 15 of <paramref name="padding"/> bytes.</summary>
    private static byte[] PaddedRateRequest(int padding)
    {
        var request = new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" };
        var unknown = new List<byte> { (15 << 3) | 2 };
        for (uint v = (uint)padding; ; v >>= 7)
        {
            if (v < 0x80)
            {
                unknown.Add((byte)v);
                break;
            }

            unknown.Add((byte)((v & 0x7F) | 0x80));
        }

        return [.. Google.Protobuf.MessageExtensions.ToByteArray(request), .. unknown, .. Enumerable.Repeat((byte)'x', padding)];
    }

    /// <summary>
    /// A raw gRPC call over HTTP/2 whose body is <paramref name="head"/>, then, once <paramref name="gate"/> opens,
    /// <paramref name="tail"/> and the end; without a gate the body never ends. Returns the status, ErrorInfo reason
    /// and message.
    /// </summary>
    private async Task<(string Status, string? Reason, string Message)> CallAsync(HttpClient http, string method, byte[] head, Task? gate = null,
        byte[]? tail = null, TaskCompletionSource? headSent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.GrpcAddress, "/" + method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new GatedContent(head, gate ?? _release.Task, tail ?? [], headSent),
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        string? code = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        string? details = Header(response.TrailingHeaders, "grpc-status-details-bin") ?? Header(response.Headers, "grpc-status-details-bin");
        string message = Uri.UnescapeDataString(Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "");
        return (code is null ? $"HTTP_{(int)response.StatusCode}" : Wire.StatusName(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture)),
            details is null ? null : Wire.ReasonOf(Convert.FromBase64String(details.PadRight(details.Length + ((4 - (details.Length % 4)) % 4), '='))),
            message);
    }

    private static string? Header(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>A gRPC request body sent in two parts: the head at once, the tail (and the end) when the gate opens.</summary>
    private sealed class GatedContent : HttpContent
    {
        private readonly byte[] _head;
        private readonly Task _gate;
        private readonly byte[] _tail;
        private readonly TaskCompletionSource? _headSent;

        public GatedContent(byte[] head, Task gate, byte[] tail, TaskCompletionSource? headSent)
        {
            (_head, _gate, _tail, _headSent) = (head, gate, tail, headSent);
            Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_head);
            await stream.FlushAsync();
            _headSent?.TrySetResult();
            await _gate;
            await stream.WriteAsync(_tail);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
