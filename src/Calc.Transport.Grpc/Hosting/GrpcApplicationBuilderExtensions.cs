using System.Globalization;
using Calc.Transport.Grpc.Errors;
using Calc.Transport.Grpc.Json;
using Calc.Transport.Grpc.Services.Calc;
using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc;

/// <summary>The request pipeline and endpoints of Calc's transport.</summary>
public static class GrpcApplicationBuilderExtensions
{
    /// <summary>
    /// Middleware before the endpoints: the deadline cap (<c>Grpc:MaxDeadline</c>), the oversized-message
    /// status naming the limit (<see cref="MessageSizeStatus"/>), JSON bodies for every
    /// non-200 answer without one (404, 405, 415), routing, gRPC-Web (every gRPC method), and the JSON body
    /// check of transcoded calls (<see cref="JsonBodyValidator"/>).
    /// </summary>
    public static IApplicationBuilder UseCalcGrpc(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        if (options.MaxDeadline is { } max)
        {
            app.Use((context, next) =>
            {
                CapDeadline(context.Request, max);
                return next(context);
            });
        }

        app.UseMiddleware<MessageSizeStatus>();
        app.UseStatusCodePages(JsonStatusPages.WriteAsync);
        app.UseRouting();
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.UseMiddleware<JsonBodyValidator>();
        return app;
    }

    /// <summary>Maps the calc.v1 services (gRPC, gRPC-Web and JSON), reflection and the OpenAPI document (<c>/openapi/v1.json</c>).</summary>
    public static IEndpointRouteBuilder MapCalcGrpc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<QuoteGrpcService>();
        endpoints.MapGrpcService<IncomeGrpcService>();
        endpoints.MapGrpcService<TaxGrpcService>();
        endpoints.MapGrpcService<CollateralGrpcService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapSwagger("/openapi/{documentName}.json");
        return endpoints;
    }

    /// <summary>
    /// <c>Grpc:MaxDeadline</c>: a gRPC call without a deadline, or with a longer one, gets the cap as its
    /// <c>grpc-timeout</c> (grpc-dotnet then ends it with DEADLINE_EXCEEDED).
    /// </summary>
    internal static void CapDeadline(HttpRequest request, TimeSpan max)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var header = request.Headers["grpc-timeout"].ToString();
        if (header.Length == 0 || ParseTimeout(header) is not { } requested || requested > max)
        {
            long ms = Math.Max(1, (long)Math.Ceiling(max.TotalMilliseconds));
            request.Headers["grpc-timeout"] = ms <= 99_999_999
                ? ms.ToString(CultureInfo.InvariantCulture) + "m"
                : Math.Min(99_999_999, (long)Math.Ceiling(max.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "S";
        }
    }

    private static TimeSpan? ParseTimeout(string header)
    {
        if (header.Length < 2 || !long.TryParse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            return null; // grpc-dotnet refuses a malformed header itself
        }

        return header[^1] switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            'S' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMilliseconds(value),
            'u' => TimeSpan.FromMicroseconds(value),
            'n' => TimeSpan.FromTicks(value / 100),
            _ => null,
        };
    }
}
