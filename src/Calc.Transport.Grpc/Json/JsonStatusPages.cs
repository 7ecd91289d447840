using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Calc.Transport.Grpc.Json;

/// <summary>
/// JSON bodies for answers that would otherwise be empty (ASP.NET Core status code pages): 404 for a path
/// with no method, 405 for a known path with another verb, 415 for a gRPC-only method called with JSON. Same
/// shape as transcoding's errors (<see cref="JsonErrors"/>). gRPC requests are left alone (their status is
/// in trailers).
/// </summary>
internal static class JsonStatusPages
{
    public const string UnknownRoute = "UNKNOWN_ROUTE";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string HttpError = "HTTP_ERROR";

    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            return Task.CompletedTask;
        }

        int status = http.Response.StatusCode;
        string where = $"{request.Method} {request.Path}";
        var body = status switch
        {
            404 => JsonErrors.Status(StatusCode.NotFound, UnknownRoute,
                $"no method at {where}; the JSON routes are listed in /openapi/v1.json (and POST /calc.v1.<Service>/<Method> takes the request message as JSON)"),
            405 => JsonErrors.Status(StatusCode.Unimplemented, MethodNotAllowed,
                $"{where}: this path does not take {request.Method}; allowed: {http.Response.Headers.Allow}"),
            415 => JsonErrors.Status(StatusCode.InvalidArgument, UnsupportedMediaType,
                $"{where} with content-type '{request.ContentType}': this method is gRPC only (HTTP/2, application/grpc); over HTTP/1.1 JSON call a unary method (e.g. POST /v1/income:recognize for income batches)"),
            _ => JsonErrors.Status(StatusCode.Unknown, HttpError, $"{where}: HTTP {status}"),
        };
        return JsonErrors.WriteAsync(http.Response, status, body);
    }
}
