using Calc.Transport.Grpc.Errors;
using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Protocol;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Calc.Transport.Grpc.Connect;

/// <summary>
/// Connect unary calls (connectrpc.com/docs/protocol): <c>POST /pkg.Service/Method</c> with
/// <c>application/json</c> (proto3 JSON mapping) or <c>application/proto</c>, over HTTP/1.1 or HTTP/2.
/// Optional <c>connect-timeout-ms</c> and <c>content-encoding: gzip</c>. Success is HTTP 200 with the
/// message as the body; response metadata go in headers, trailers as <c>trailer-</c> headers; errors
/// are Connect error JSON with the same details as gRPC's <c>grpc-status-details-bin</c>.
/// </summary>
internal static class ConnectUnaryHandler
{
    /// <summary>UTF-8 that throws on invalid bytes instead of replacing them with U+FFFD.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static async Task HandleAsync(HttpContext http, UnaryServerMethod method, GrpcRuntime runtime, ConnectCodec codec)
    {
        var call = new GrpcServerCall(http, runtime, method.Path, CallProtocol.ConnectUnary);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var interceptors = runtime.Interceptors;
        Status status;
        Metadata? trailers = null;
        Task? outlived = null;
        try
        {
            if (http.Request.Headers[GrpcProtocol.ConnectTimeoutHeader] is { Count: > 0 } timeout)
            {
                if (!long.TryParse(timeout.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                    || timeout.ToString().Length > 10)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "connect-timeout-ms must be at most 10 digits"));
                }

                call.ArmDeadline(TimeSpan.FromMilliseconds(ms));
            }

            foreach (var interceptor in interceptors)
            {
                await interceptor.OnCallStartingAsync(call);
            }

            var body = await ReadBodyAsync(http, runtime.Options.MaxReceiveMessageSize, call.CancellationToken);
            IMessage request;
            try
            {
                request = codec == ConnectCodec.Json
                    ? method.ParseJsonRequest(StrictUtf8.GetString(body))
                    : method.ParseRequest(body);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException or DecoderFallbackException)
            {
                string what = (codec == ConnectCodec.Json ? "JSON " : "protobuf ") + method.Descriptor.InputType.FullName;
                throw ex switch
                {
                    DecoderFallbackException => GrpcErrors.InvalidArgument("INVALID_UTF8", "", "request body is not valid UTF-8 JSON"),
                    InvalidProtocolBufferException when codec == ConnectCodec.Json && ex.Message.StartsWith("Unknown field", StringComparison.Ordinal) =>
                        GrpcErrors.InvalidArgument("UNKNOWN_FIELD", "", ex.Message + " (not a field of " + method.Descriptor.InputType.FullName + "; check the spelling)"),
                    _ => GrpcErrors.InvalidArgument(codec == ConnectCodec.Json ? "INVALID_JSON" : "INVALID_PROTOBUF", "",
                        "request body is not a valid " + what + ": " + ex.Message),
                };
            }

            var task = method.InvokeServiceAsync(request, call);
            if (!task.IsCompleted && call.HasDeadline)
            {
                await Task.WhenAny(task, call.DeadlineTask);
                if (!task.IsCompleted)
                {
                    outlived = task;
                    throw new OperationCanceledException(call.CancellationToken);
                }
            }

            var response = await task;
            if (call.DeadlineFired)
            {
                throw new OperationCanceledException(call.CancellationToken);
            }

            status = Status.DefaultSuccess;
            await WriteSuccessAsync(http, call, codec, response);
        }
        catch (Exception ex)
        {
            status = runtime.Errors.Map(ex, method.Path, http.TraceIdentifier, call.CancellationToken.IsCancellationRequested || call.ClientGone,
                call.DeadlineFired, out trailers);
            if (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                await WriteErrorAsync(http, call, status, trailers);
            }
        }
        if (outlived is not null)
        {
            await GrpcEndpoint.WaitForOutlivedServiceAsync(http, outlived);
        }

        call.Dispose();

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        foreach (var interceptor in interceptors)
        {
            interceptor.OnCallCompleted(call, status, elapsed);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http, int limit, CancellationToken token)
    {
        var reader = http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                throw GrpcStatuses.ReceiveLimitExceeded((ulong)buffer.Length, limit);
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                var encoding = http.Request.Headers.ContentEncoding.ToString();
                if (encoding.Length == 0 || encoding == GrpcProtocol.Identity)
                {
                    return bytes;
                }

                if (encoding != GrpcProtocol.Gzip)
                {
                    http.Response.Headers["accept-encoding"] = "gzip";
                    throw new RpcException(new Status(StatusCode.Unimplemented, $"content-encoding '{encoding}' is not supported; supported: gzip"));
                }

                return GzipCodec.Decompress(new ReadOnlySequence<byte>(bytes), limit);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async Task WriteSuccessAsync(HttpContext http, GrpcServerCall call, ConnectCodec codec, IMessage response)
    {
        var size = response.CalculateSize();
        if (size > call.SendLimit)
        {
            throw GrpcStatuses.SendLimitExceeded(size, call.SendLimit);
        }

        var r = http.Response;
        r.StatusCode = StatusCodes.Status200OK;
        AddTrailersAsHeaders(r.Headers, call.ResponseTrailersOrNull);
        byte[] body;
        if (codec == ConnectCodec.Json)
        {
            r.ContentType = GrpcProtocol.ConnectJson;
            body = Encoding.UTF8.GetBytes(Formatter.Format(response));
        }
        else
        {
            r.ContentType = GrpcProtocol.ConnectProto;
            body = response.ToByteArray();
        }

        if (call.ConnectCompressesResponse && AcceptsGzip(http))
        {
            body = GzipCodec.Compress(body, CompressionLevel.Fastest);
            r.Headers.ContentEncoding = GrpcProtocol.Gzip;
        }

        r.ContentLength = body.Length;
        await r.Body.WriteAsync(body, call.CancellationToken);
    }

    private static bool AcceptsGzip(HttpContext http) =>
        http.Request.Headers.AcceptEncoding.ToString().Contains(GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);

    private static async Task WriteErrorAsync(HttpContext http, GrpcServerCall call, Status status, Metadata? trailers)
    {
        var r = http.Response;
        r.Clear();
        r.StatusCode = ConnectErrors.HttpStatus(status.StatusCode);
        r.ContentType = GrpcProtocol.ConnectJson;
        AddTrailersAsHeaders(r.Headers, call.ResponseTrailersOrNull);
        AddTrailersAsHeaders(r.Headers, trailers);
        var body = ConnectErrors.ToJson(status);
        r.ContentLength = body.Length;
        await r.Body.WriteAsync(body, CancellationToken.None);
    }

    private static void AddTrailersAsHeaders(IHeaderDictionary headers, Metadata? trailers)
    {
        if (trailers is null)
        {
            return;
        }

        foreach (var entry in trailers)
        {
            var value = entry.ValueBytes is { } bytes ? MetadataCodec.ToBase64(bytes) : entry.Value ?? "";
            headers.Append("trailer-" + entry.Key, value);
        }
    }
}
