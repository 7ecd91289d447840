using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Calc.Reliability.Tests.Infrastructure;

namespace Calc.Reliability.Tests;

/// <summary>
/// The same API keys and per-caller limits on the Connect JSON path (HTTP/1.1, how 1C calls Calc) as on gRPC:
/// the status, the reason token a program branches on, and RetryInfo, in Connect's error JSON.
/// </summary>
public sealed class ConnectSecurityTests
{
    private const string WriterKey = "w-7d1e0c9b8a7f6e5d4c3b";
    private const string ReaderKey = "r-1a2b3c4d5e6f7a8b9c0d";
    private const string UsdRate = "{\"currency\":\"USD\",\"date\":\"2025-01-05\"}";
    private const string Import = "{\"rates\":[{\"currency\":\"USD\",\"effectiveDate\":\"2025-03-20\",\"nominal\":1,\"value\":\"82.8487\"}]}";

    private static readonly HttpClient Http = new();

    [Fact]
    public async Task ConnectJson_ImportNeedsAWriterKey_ReasonsAsOnGrpc()
    {
        string keys = ApiKeysFile.Write($"erp={WriterKey}\nbank={ReaderKey}=read\n");
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string> { ["Auth__ApiKeysFile"] = keys });

        var missing = await PostAsync(server.Http1Address, "QuoteService/ImportCbrRates", Import, null);
        var wrong = await PostAsync(server.Http1Address, "QuoteService/ImportCbrRates", Import, WriterKey + "x");
        var readOnly = await PostAsync(server.Http1Address, "QuoteService/ImportCbrRates", Import, ReaderKey);
        var written = await PostAsync(server.Http1Address, "QuoteService/ImportCbrRates", Import, WriterKey);
        var read = await PostAsync(server.Http1Address, "QuoteService/GetCbrRate", "{\"currency\":\"USD\",\"date\":\"2025-03-20\"}", null);

        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "API_KEY_MISSING"), Error(missing));
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "API_KEY_INVALID"), Error(wrong));
        Assert.Equal((HttpStatusCode.Forbidden, "PERMISSION_DENIED", "API_KEY_READ_ONLY"), Error(readOnly));
        Assert.Equal(HttpStatusCode.OK, written.Status);
        Assert.Equal(1, written.Json.RootElement.GetProperty("added").GetInt32());
        Assert.Equal(HttpStatusCode.OK, read.Status); // reads stay open: the imported (real) CBR rate that took effect on 2025-03-20
        Assert.Equal("82.8487", read.Json.RootElement.GetProperty("value").GetString());
        File.Delete(keys);
    }

    [Fact]
    public async Task ConnectJson_RateLimitPerCaller_ResourceExhaustedWithRetryInfo()
    {
        string keys = ApiKeysFile.Write($"erp={WriterKey}\nbank={ReaderKey}=read\n");
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeysFile"] = keys,
            ["Limits__RequestsPerSecond"] = "0.01", // one token per 100 s: none refills between the calls, however slow
            ["Limits__Burst"] = "2",
        });

        var first = await PostAsync(server.Http1Address, "QuoteService/GetCbrRate", UsdRate, WriterKey);
        var second = await PostAsync(server.Http1Address, "QuoteService/GetCbrRate", UsdRate, WriterKey);
        var third = await PostAsync(server.Http1Address, "QuoteService/GetCbrRate", UsdRate, WriterKey);
        var otherCaller = await PostAsync(server.Http1Address, "QuoteService/GetCbrRate", UsdRate, ReaderKey);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, second.Status));
        Assert.Equal((HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED", "RATE_LIMITED"), Error(third));
        var details = third.Json.RootElement.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("@type").GetString()).ToArray();
        Assert.Contains("type.googleapis.com/google.rpc.RetryInfo", details);
        Assert.Equal(HttpStatusCode.OK, otherCaller.Status);
        Assert.Equal("101.6797", otherCaller.Json.RootElement.GetProperty("value").GetString());
        File.Delete(keys);
    }

    private static (HttpStatusCode Status, string? Code, string? Reason) Error((HttpStatusCode Status, JsonDocument Json) answer)
    {
        var root = answer.Json.RootElement;
        string? reason = null;
        if (root.TryGetProperty("details", out var details))
        {
            foreach (var detail in details.EnumerateArray())
            {
                if (detail.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo")
                {
                    reason = detail.GetProperty("reason").GetString();
                }
            }
        }

        // the body is a google.rpc.Status as JSON: a numeric code
        return (answer.Status, root.TryGetProperty("code", out var code) ? Wire.StatusName(code.GetInt32()) : null, reason);
    }

    private static async Task<(HttpStatusCode Status, JsonDocument Json)> PostAsync(Uri http1, string method, string json, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(http1, "/calc.v1." + method))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        using var response = await Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body));
    }
}
