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

        /// <summary>The ErrorInfo reason of a JSON error body (google.rpc.Status with readable details).</summary>
        public string? Reason => Json.TryGetProperty("details", out var details)
            ? details.EnumerateArray().Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo")
                .Select(d => d.GetProperty("reason").GetString()).FirstOrDefault()
            : null;
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
