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
            return HandleGrpcAsync(http);
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
            ? "application/grpc, application/grpc+proto, application/json, application/proto"
            : "application/grpc, application/grpc+proto";
        return Task.CompletedTask;
    }

    private async Task HandleGrpcAsync(HttpContext http)
    {
        if (!HttpProtocol.IsHttp2(http.Request.Protocol) && !HttpProtocol.IsHttp3(http.Request.Protocol))
        {
            // gRPC needs HTTP/2 trailers; HTTP/1.1 clients should use Connect on the same path
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = "h2c";
            return;
        }

        PrepareStreamLimits(http, method);
        var call = new GrpcServerCall(http, runtime, method.Path);
        var start = Stopwatch.GetTimestamp();
        var interceptors = runtime.Interceptors;
        Status status;
        Metadata? trailers = null;
        try
        {
            call.Initialize();
            foreach (var interceptor in interceptors)
            {
                await interceptor.OnCallStartingAsync(call);
            }

            var task = method.InvokeGrpcAsync(call);
            if (!task.IsCompleted && call.HasDeadline)
            {
                await Task.WhenAny(task, call.DeadlineTask);
                if (!task.IsCompleted)
                {
                    // the deadline (or the client) won: answer now, let the service observe its cancelled token
                    ObserveLate(task);
                    await call.DrainPendingWriteAsync();
                    throw new OperationCanceledException(call.CancellationToken);
                }
            }

            await task;
            status = Status.DefaultSuccess;
        }
        catch (Exception ex)
        {
            status = runtime.Errors.Map(ex, method.Path, http.TraceIdentifier, call.CancellationToken.IsCancellationRequested,
                call.DeadlineFired, out trailers);
        }

        call.Complete(status, trailers);
        call.Dispose();
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

    /// <summary>Keeps a service task that outlived its call from raising unobserved exceptions.</summary>
    internal static void ObserveLate(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}

/// <summary>The route for paths no service claims: gRPC gets UNIMPLEMENTED (never HTTP 404), Connect a 501 error.</summary>
internal sealed class UnimplementedEndpoint(GrpcRuntime runtime)
{
    public Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var status = GrpcStatuses.UnimplementedMethod(path);
        var contentType = http.Request.ContentType;
        if (GrpcProtocol.IsGrpcContentType(contentType))
        {
            var call = new GrpcServerCall(http, runtime, path);
            call.Complete(status, null);
            call.Dispose();
            return Task.CompletedTask;
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
