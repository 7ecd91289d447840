using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc.Errors;

/// <summary>
/// grpc-dotnet refuses a request message over <c>MaxReceiveMessageSize</c> with RESOURCE_EXHAUSTED "Received
/// message exceeds the maximum configured message size." — no limit, no reason token — and does so while
/// reading the request, before any interceptor runs (unary) or inside the service (streams). This middleware
/// replaces exactly that status, after the call, with <see cref="GrpcErrors.TooLarge"/>: the limit in bytes
/// (<c>Grpc:MaxReceiveMessageSize</c>), what to do, and ErrorInfo <c>MESSAGE_TOO_LARGE</c> in
/// <c>grpc-status-details-bin</c>. A gRPC request's body is bounded by that message limit alone (Kestrel's
/// request body limit is lifted for it, as grpc-dotnet itself does for streams). It looks at the status only where grpc-dotnet put it (response headers of a
/// trailers-only answer, else the trailers), so other calls pay two header lookups.
/// </summary>
internal sealed class MessageSizeStatus(RequestDelegate next, IOptions<GrpcServerOptions> options)
{
    /// <summary>grpc-dotnet's wording (Grpc.AspNetCore.Server PipeExtensions).</summary>
    internal const string GrpcDotnetMessage = "Received message exceeds the maximum configured message size.";

    /// <summary>grpc-dotnet's wording for an exception it caught itself (Grpc.AspNetCore.Server ServerCallHandlerBase).</summary>
    internal const string GrpcDotnetHandlerMessage = "Exception was thrown by handler.";

    private readonly long _limit = options.Value.MaxReceiveMessageSize;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            // grpc-dotnet lifts Kestrel's body limit (Limits:MaxRequestBodyBytes, meant for JSON) for streaming calls
            // only; a unary message over it would end as UNKNOWN "Exception was thrown by handler" (Kestrel's
            // BadHttpRequestException) instead of being refused by the message limit, which bounds it anyway
            bodyLimit.MaxRequestBodySize = null;
        }

        await next(context);
        var response = context.Response;
        var destination = response.HasStarted ? context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers : response.Headers;
        if (destination is null || !destination.TryGetValue("grpc-status", out var code) || !destination.TryGetValue("grpc-message", out var message))
        {
            return;
        }

        Google.Rpc.Status status;
        if (code == "8" && message == GrpcDotnetMessage)
        {
            status = GrpcErrors.TooLarge(_limit, "Grpc:MaxReceiveMessageSize");
        }
        else if (code == "2" && message == GrpcDotnetHandlerMessage)
        {
            // every exception inside the call is mapped by ErrorInterceptor; grpc-dotnet writes its own UNKNOWN only
            // for one raised before the interceptors run: the request message did not parse
            status = GrpcErrors.Malformed(context.Request.Path.Value?.TrimStart('/') ?? "");
        }
        else
        {
            return;
        }

        destination["grpc-status"] = status.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        destination["grpc-message"] = Uri.EscapeDataString(status.Message).Replace("%20", " ", StringComparison.Ordinal);
        destination["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');
    }
}
