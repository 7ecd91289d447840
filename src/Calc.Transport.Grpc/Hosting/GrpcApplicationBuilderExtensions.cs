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
    /// Middleware before the endpoints: <see cref="GrpcRequestMiddleware"/> (body limit, deadline cap
    /// <c>Grpc:MaxDeadline</c>, the statuses grpc-dotnet writes without a reason), routing, and — for everything
    /// but gRPC over HTTP/2 proper, which needs none of them — JSON bodies for every non-200 answer without one
    /// (404, 405, 415), gRPC-Web and the JSON body check of transcoded calls (<see cref="JsonBodyValidator"/>).
    /// A gRPC call passes one Calc middleware, routing and the endpoint (the branches cost a content-type check).
    /// </summary>
    public static IApplicationBuilder UseCalcGrpc(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<GrpcRequestMiddleware>();
        app.UseWhen(NotPlainGrpc, json => json.UseStatusCodePages(JsonStatusPages.WriteAsync));
        app.UseRouting();
        app.UseWhen(NotPlainGrpc, web =>
        {
            web.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
            web.UseMiddleware<JsonBodyValidator>();
        });
        return app;
    }

    private static bool NotPlainGrpc(HttpContext context) => !GrpcRequestMiddleware.IsPlainGrpc(context.Request);

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
}
