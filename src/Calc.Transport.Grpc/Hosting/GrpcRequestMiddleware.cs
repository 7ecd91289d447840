using System.Globalization;
using Calc.Transport.Grpc.Errors;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc;

/// <summary>
/// What Calc adds to a gRPC request (<c>application/grpc…</c>, gRPC-Web included) before and after grpc-dotnet
/// handles it; any other request passes straight through (no async frame).
/// <list type="bullet">
/// <item><b>Body limit.</b> grpc-dotnet lifts Kestrel's request body limit (<c>Limits:MaxRequestBodyBytes</c>, meant
/// for JSON) for streaming calls only; a unary message over it would end as UNKNOWN "Exception was thrown by
/// handler" instead of being refused by the message limit, which bounds every gRPC message anyway.</item>
/// <item><b>Deadlines.</b> A call asking for a deadline longer than <c>Grpc:MaxDeadline</c> (default one hour; the
/// gRPC spec allows up to 99999999 hours) gets the cap as its <c>grpc-timeout</c> before grpc-dotnet reads it,
/// and a call without one gets <c>Grpc:DefaultDeadline</c> when that is set; grpc-dotnet then ends it with
/// DEADLINE_EXCEEDED.</item>
/// <item><b>Statuses grpc-dotnet writes without a reason.</b> It refuses a request message over
/// <c>MaxReceiveMessageSize</c> with RESOURCE_EXHAUSTED "Received message exceeds the maximum configured message
/// size." (no limit, no reason) while reading the request, before any interceptor runs; that status becomes
/// <see cref="GrpcErrors.TooLarge"/> (the limit in bytes, the key, ErrorInfo <c>MESSAGE_TOO_LARGE</c>). Every
/// exception inside a call is mapped by <see cref="ErrorMapper"/>, so grpc-dotnet's own UNKNOWN "Exception was
/// thrown by handler." can only come from a request message that did not parse: INVALID_ARGUMENT
/// <c>MALFORMED_MESSAGE</c>. Only the place grpc-dotnet put the status is looked at (the headers of a
/// trailers-only answer, else the trailers): two lookups per call.</item>
/// </list>
/// </summary>
internal sealed class GrpcRequestMiddleware(RequestDelegate next, IOptions<GrpcServerOptions> options)
{
    /// <summary>grpc-dotnet's wording (Grpc.AspNetCore.Server PipeExtensions).</summary>
    internal const string GrpcDotnetMessage = "Received message exceeds the maximum configured message size.";

    /// <summary>grpc-dotnet's wording for an exception it caught itself (Grpc.AspNetCore.Server ServerCallHandlerBase).</summary>
    internal const string GrpcDotnetHandlerMessage = "Exception was thrown by handler.";

    private readonly long _limit = options.Value.MaxReceiveMessageSize;
    private readonly TimeSpan? _maxDeadline = options.Value.MaxDeadline is { Ticks: > 0 } max ? max : null;
    private readonly string? _defaultTimeout = DefaultTimeout(options.Value);

    /// <summary>True for gRPC and gRPC-Web requests (their content types start with <c>application/grpc</c>).</summary>
    internal static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for gRPC over HTTP/2 proper: <c>application/grpc</c>, <c>application/grpc+proto</c>, <c>application/grpc;…</c>, not gRPC-Web.</summary>
    internal static bool IsPlainGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (type.Length == 16 || type[16] is '+' or ';');

    public Task InvokeAsync(HttpContext context)
    {
        if (!IsGrpc(context.Request))
        {
            return next(context);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = null;
        }

        if (_maxDeadline is not null || _defaultTimeout is not null)
        {
            CapDeadline(context.Request, _maxDeadline, _defaultTimeout);
        }

        return InvokeGrpcAsync(context);
    }

    private async Task InvokeGrpcAsync(HttpContext context)
    {
        await next(context);
        var response = context.Response;
        var destination = response.HasStarted ? context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers : response.Headers;
        if (destination is null || !destination.TryGetValue("grpc-status", out var code) || code == "0"
            || !destination.TryGetValue("grpc-message", out var message))
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
            status = GrpcErrors.Malformed(context.Request.Path.Value?.TrimStart('/') ?? "");
        }
        else
        {
            return;
        }

        destination["grpc-status"] = status.Code.ToString(CultureInfo.InvariantCulture);
        destination["grpc-message"] = Uri.EscapeDataString(status.Message).Replace("%20", " ", StringComparison.Ordinal);
        destination["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');
    }

    /// <summary>
    /// A call without <c>grpc-timeout</c> gets <paramref name="defaultTimeout"/> (when set); one asking for longer than
    /// <paramref name="max"/> gets <paramref name="max"/>. A malformed value is left to grpc-dotnet (it ignores it).
    /// </summary>
    internal static void CapDeadline(HttpRequest request, TimeSpan? max, string? defaultTimeout)
    {
        var header = request.Headers["grpc-timeout"];
        if (header.Count == 0 || header[0] is not { Length: > 0 } value)
        {
            if (defaultTimeout is not null)
            {
                request.Headers["grpc-timeout"] = defaultTimeout;
            }
        }
        else if (max is { } bound && ParseTimeout(value) is { } requested && requested > bound)
        {
            request.Headers["grpc-timeout"] = Format(bound);
        }
    }

    private static string? DefaultTimeout(GrpcServerOptions options)
    {
        if (options.DefaultDeadline is not { Ticks: > 0 } deadline)
        {
            return null;
        }

        return Format(options.MaxDeadline is { Ticks: > 0 } max && max < deadline ? max : deadline);
    }

    /// <summary>A deadline as a <c>grpc-timeout</c> value (at most 8 digits), rounded up to the millisecond or second.</summary>
    internal static string Format(TimeSpan deadline)
    {
        long ms = Math.Max(1, (long)Math.Ceiling(deadline.TotalMilliseconds));
        return ms <= 99_999_999
            ? ms.ToString(CultureInfo.InvariantCulture) + "m"
            : Math.Min(99_999_999, (long)Math.Ceiling(deadline.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "S";
    }

    /// <summary>
    /// A <c>grpc-timeout</c> value (1–8 ASCII digits and a unit, gRPC over HTTP/2 spec); values beyond
    /// <see cref="TimeSpan.MaxValue"/> read as <see cref="TimeSpan.MaxValue"/>; null when malformed.
    /// </summary>
    internal static TimeSpan? ParseTimeout(string header)
    {
        if (header.Length < 2 || header.Length > 9
            || !long.TryParse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            return null;
        }

        long ticksPerUnit = header[^1] switch
        {
            'H' => TimeSpan.TicksPerHour,
            'M' => TimeSpan.TicksPerMinute,
            'S' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMillisecond,
            'u' => TimeSpan.TicksPerMicrosecond,
            'n' => 0,
            _ => -1,
        };
        return ticksPerUnit switch
        {
            < 0 => null,
            0 => TimeSpan.FromTicks(value / 100),
            _ => value > TimeSpan.MaxValue.Ticks / ticksPerUnit ? TimeSpan.MaxValue : TimeSpan.FromTicks(value * ticksPerUnit),
        };
    }
}
