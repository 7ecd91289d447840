using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>A JSON call (JSON transcoding, POST /calc.v1.&lt;Service&gt;/&lt;Method&gt;) over HTTP/1.1, the way 1C's HTTP client makes it.</summary>
internal static class ConnectJson
{
    public sealed record Reply(HttpStatusCode Status, Version Version, byte[] Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Text => Encoding.UTF8.GetString(Body);

        /// <summary>The media type of the answer (set by <see cref="SendAsync"/>).</summary>
        public string? ContentType { get; init; }

        /// <summary>The first field violation of a BadRequest detail: (field, description).</summary>
        public (string Field, string Description)? Violation => Json.TryGetProperty("details", out var details)
            ? details.EnumerateArray().Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest")
                .SelectMany(d => d.GetProperty("fieldViolations").EnumerateArray())
                .Select(v => ((string Field, string Description)?)(v.GetProperty("field").GetString()!, v.GetProperty("description").GetString()!))
                .FirstOrDefault()
            : null;

        /// <summary>The ErrorInfo reason of a JSON error body (google.rpc.Status with readable details).</summary>
        public string? Reason => Json.TryGetProperty("details", out var details)
            ? details.EnumerateArray().Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo")
                .Select(d => d.GetProperty("reason").GetString()).FirstOrDefault()
            : null;
    }

    /// <summary>
    /// Any HTTP/1.1 request: <paramref name="path"/> on the server, an optional body with its content type
    /// (none when <paramref name="contentType"/> is null), and extra headers (name, value).
    /// </summary>
    public static async Task<Reply> SendAsync(Uri http1Address, HttpMethod httpMethod, string path, string? body = null,
        string? contentType = "application/json", params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(httpMethod, new Uri(http1Address, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        var reply = new Reply(response.StatusCode, response.Version, await response.Content.ReadAsByteArrayAsync());
        return reply with { ContentType = response.Content.Headers.ContentType?.MediaType };
    }

    public static async Task<Reply> PostAsync(Uri http1Address, string method, string requestJson, string? apiKey = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var content = new StringContent(requestJson, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(http1Address, "/" + method)) { Content = content };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        using var response = await http.SendAsync(request);
        return new Reply(response.StatusCode, response.Version, await response.Content.ReadAsByteArrayAsync());
    }
}
