using System.Diagnostics;
using Calc.Transport.Grpc.Connect;
using Calc.Transport.Grpc.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// The request delegate of one method route. Dispatches on content type: gRPC (<c>application/grpc[+proto]</c>),
/// Connect (unary, <c>application/json</c> or <c>application/proto</c>), anything else HTTP 415. For gRPC it
/// runs the call and always ends it with a status (PROTOCOL-HTTP2.md), through the interceptors.
/// </summary>
internal sealed class GrpcEndpoint(ServerMethod method, GrpcRuntime runtime)
{
    public ServerMethod Method => method;

    public Task HandleAsync(HttpContext http)
    {
        var contentType = http.Request.ContentType;
        if (GrpcProtocol.IsGrpcContentType(contentType))
        {
            return HandleGrpcAsync(http, CallProtocol.Grpc);
        }

        if (runtime.Options.EnableConnect && GrpcProtocol.IsConnectStreamContentType(contentType))
        {
            return HandleGrpcAsync(http, CallProtocol.ConnectStream);
        }

        if (method is UnaryServerMethod unary && runtime.Options.EnableConnect && GrpcProtocol.ConnectCodecOf(contentType) is { } codec)
        {
            return ConnectUnaryHandler.HandleAsync(http, unary, runtime, codec);
        }

        return UnsupportedMediaTypeAsync(http, method is UnaryServerMethod && runtime.Options.EnableConnect);
    }

    internal static Task UnsupportedMediaTypeAsync(HttpContext http, bool connect)
    {
        http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        http.Response.Headers.Accept = connect
            ? "application/grpc, application/grpc+proto, application/connect+proto, application/json, application/proto"
            : "application/grpc, application/grpc+proto, application/connect+proto";
        return Task.CompletedTask;
    }

    private Task HandleGrpcAsync(HttpContext http, CallProtocol protocol)
    {
        if (protocol == CallProtocol.Grpc && !HttpProtocol.IsHttp2(http.Request.Protocol) && !HttpProtocol.IsHttp3(http.Request.Protocol))
        {
            // gRPC needs HTTP/2 trailers; HTTP/1.1 clients should use Connect on the same path
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = "h2c";
            return Task.CompletedTask;
        }

        PrepareStreamLimits(http, method);
        var call = new GrpcServerCall(http, runtime, method.Path, protocol);
        var start = Stopwatch.GetTimestamp();

        // fast path: everything completes synchronously (a unary call whose request is already in and whose
        // service returns a completed task); any pending step continues in RunAsync
        Task task;
        try
        {
            call.Initialize();
            var interceptors = runtime.Interceptors;
            for (var i = 0; i < interceptors.Length; i++)
            {
                var starting = interceptors[i].OnCallStartingAsync(call);
                if (!starting.IsCompletedSuccessfully)
                {
                    return RunAsync(call, start, starting, i + 1, null);
                }
            }

            task = method.InvokeGrpcAsync(call);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (!task.IsCompletedSuccessfully)
        {
            return RunAsync(call, start, default, 0, task);
        }

        var completing = call.CompleteAsync(Status.DefaultSuccess, null);
        if (!completing.IsCompletedSuccessfully)
        {
            return FinishAsync(call, start, completing);
        }

        Finish(call, start, Status.DefaultSuccess);
        return Task.CompletedTask;
    }

    /// <summary>The general path: awaits interceptors and the service, races the deadline, maps failures.</summary>
    private async Task RunAsync(GrpcServerCall call, long start, ValueTask pendingInterceptor, int nextInterceptor, Task? service)
    {
        var http = call.HttpContext;
        Status status;
        Metadata? trailers = null;
        Task? outlived = null;
        try
        {
            if (service is null)
            {
                await pendingInterceptor;
                var interceptors = runtime.Interceptors;
                for (var i = nextInterceptor; i < interceptors.Length; i++)
                {
                    await interceptors[i].OnCallStartingAsync(call);
                }

                service = method.InvokeGrpcAsync(call);
            }

            if (!service.IsCompleted && call.HasDeadline)
            {
                await Task.WhenAny(service, call.DeadlineTask);
                if (!service.IsCompleted)
                {
                    // the deadline (or the client) won: answer now, let the service observe its cancelled token
                    outlived = service;
                    await call.DrainPendingWriteAsync();
                    throw new OperationCanceledException(call.CancellationToken);
                }
            }

            await service;
            status = Status.DefaultSuccess;
        }
        catch (Exception ex)
        {
            status = runtime.Errors.Map(ex, method.Path, http.TraceIdentifier, call.CancellationToken.IsCancellationRequested || call.ClientGone,
                call.DeadlineFired, out trailers);
        }

        await call.CompleteAsync(status, trailers);
        if (outlived is not null)
        {
            await WaitForOutlivedServiceAsync(http, outlived);
        }

        Finish(call, start, status);
    }

    private async Task FinishAsync(GrpcServerCall call, long start, ValueTask completing)
    {
        await completing;
        Finish(call, start, Status.DefaultSuccess);
    }

    private void Finish(GrpcServerCall call, long start, Status status)
    {
        call.Dispose();
        var interceptors = runtime.Interceptors;
        if (interceptors.Length == 0)
        {
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        foreach (var interceptor in interceptors)
        {
            interceptor.OnCallCompleted(call, status, elapsed);
        }
    }

    /// <summary>
    /// gRPC bodies are streams: Kestrel's 30 MB request body cap does not apply (the per-message limit does),
    /// and long-lived streams must not be killed by minimum data rates.
    /// </summary>
    private static void PrepareStreamLimits(HttpContext http, ServerMethod method)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (method.Descriptor.IsClientStreaming || method.Descriptor.IsServerStreaming)
        {
            if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRequestRate)
            {
                minRequestRate.MinDataRate = null;
            }

            if (http.Features.Get<IHttpMinResponseDataRateFeature>() is { } minResponseRate)
            {
                minResponseRate.MinDataRate = null;
            }
        }
    }

    /// <summary>
    /// Sends the status to the client at once, then waits for a service that ignored its cancelled token to
    /// return: the HttpContext must not be recycled while service code can still touch the call.
    /// </summary>
    internal static async Task WaitForOutlivedServiceAsync(HttpContext http, Task service)
    {
        try
        {
            await http.Response.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // the client is gone already
        }

        try
        {
            await service;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // the call already ended with DEADLINE_EXCEEDED or CANCELLED; what the service did afterwards is moot
        }
    }
}

/// <summary>The route for paths no service claims: gRPC gets UNIMPLEMENTED (never HTTP 404), Connect a 501 error.</summary>
internal sealed class UnimplementedEndpoint(GrpcRuntime runtime)
{
    public Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var status = GrpcStatuses.UnimplementedMethod(path);
        var contentType = http.Request.ContentType;
        if (GrpcProtocol.IsGrpcContentType(contentType) || GrpcProtocol.IsConnectStreamContentType(contentType))
        {
            var protocol = GrpcProtocol.IsGrpcContentType(contentType) ? CallProtocol.Grpc : CallProtocol.ConnectStream;
            var call = new GrpcServerCall(http, runtime, path, protocol);
            var done = call.CompleteAsync(status, null);
            call.Dispose();
            return done.AsTask();
        }

        if (GrpcProtocol.ConnectCodecOf(contentType) is not null && runtime.Options.EnableConnect)
        {
            http.Response.StatusCode = ConnectErrors.HttpStatus(status.StatusCode);
            http.Response.ContentType = GrpcProtocol.ConnectJson;
            return http.Response.Body.WriteAsync(ConnectErrors.ToJson(status)).AsTask();
        }

        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
