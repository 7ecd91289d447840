using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Grpc.Core;

namespace Calc.Reliability.Tests;

/// <summary>
/// The log policy at the default configuration, against the real server process: at most one line per call (the
/// transport's call-completed event; none for a successful call), none of the framework's per-request lines, and a
/// configured API key nowhere in the output — sent in x-api-key, in authorization, in a query string, inside a
/// body value the error message quotes back, or as a wrong key on a refused import. Run with the shipped
/// appsettings.json and without it (another content root: the defaults in code must hold alone).
/// </summary>
public sealed class LogPolicyTests
{
    private const string Key = "k-3f9c2e7a5b1d8c4e6f0a";
    private const int N = 12;

    /// <summary>Lines a start-up writes (import, policies, listening addresses, started, environment, content root, banner) with room to spare.</summary>
    private const int StartupAllowance = 15;

    public static TheoryData<bool> ContentRoots => new() { true, false };

    [Theory]
    [MemberData(nameof(ContentRoots))]
    public async Task Calls_AtTheDefaultConfiguration_AtMostOneLinePerCallAndTheKeyNowhere(bool withAppSettings)
    {
        string? emptyRoot = withAppSettings ? null : Directory.CreateTempSubdirectory("calc-no-appsettings-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["Auth__ApiKeys"] = "erp=" + Key };
            if (emptyRoot is not null)
            {
                environment["ASPNETCORE_CONTENTROOT"] = emptyRoot; // no appsettings.json there
            }

            await using var server = await CalcProcess.StartAsync(environment);
            using var channel = RpcChannel.For(server.GrpcAddress);
            var quotes = new CalcClients(channel).Quotes;
            using var http = new HttpClient { BaseAddress = server.Http1Address, Timeout = TimeSpan.FromSeconds(30) };
            var keyHeader = new CallOptions(new Metadata { { "x-api-key", Key } });

            for (int i = 0; i < N; i++)
            {
                var rate = await quotes.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }, keyHeader).ResponseAsync;
                Assert.Equal("101.6797", rate.Value);
            }

            for (int i = 0; i < N; i++)
            {
                using var request = (i % 3) switch
                {
                    0 => new HttpRequestMessage(HttpMethod.Get, $"/v1/cbr-rates/USD/2025-01-05?api_key={Key}"),
                    1 => new HttpRequestMessage(HttpMethod.Get, "/v1/cbr-rates/USD/2025-01-05") { Headers = { { "x-api-key", Key } } },
                    _ => new HttpRequestMessage(HttpMethod.Post, "/calc.v1.QuoteService/GetCbrRate")
                    {
                        Content = new StringContent("""{"currency":"USD","date":"2025-01-05"}""", Encoding.UTF8, "application/json"),
                        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Key) },
                    },
                };
                using var response = await http.SendAsync(request);
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            }

            // failing calls, each allowed one line: the key quoted back in an error message, the key as an
            // unknown JSON field, and a refused import whose wrong key starts with the real one (the last line)
            using (var echoed = await http.PostAsync("/calc.v1.QuoteService/GetCbrRate",
                new StringContent($$"""{"currency":"{{Key}}","date":"2025-01-05"}""", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(System.Net.HttpStatusCode.BadRequest, echoed.StatusCode);
                Assert.Contains(Key, await echoed.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the caller sees its own input
            }

            using (var field = await http.PostAsync("/calc.v1.QuoteService/GetCbrRate",
                new StringContent($$"""{"currency":"USD","date":"2025-01-05","{{Key}}":1}""", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(System.Net.HttpStatusCode.BadRequest, field.StatusCode);
            }

            // error answers built from the request (415 names the content type, 404 the path) never quote a header or the query
            using (var media = new HttpRequestMessage(HttpMethod.Post, "/calc.v1.QuoteService/GetCbrRate")
            {
                Content = new StringContent("currency=USD", Encoding.UTF8, "text/plain"),
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Key) },
            })
            {
                using var refused = await http.SendAsync(media);
                Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
                Assert.DoesNotContain(Key, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using (var route = await http.GetAsync($"/v1/no-such-route?api_key={Key}"))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, route.StatusCode);
                Assert.DoesNotContain(Key, await route.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            await Assert.ThrowsAsync<RpcException>(() => quotes.ImportCbrRatesAsync(new ImportCbrRatesRequest(),
                new CallOptions(new Metadata { { "authorization", "Bearer " + Key + "-wrong" } })).ResponseAsync);
            const int calls = (2 * N) + 5;

            string output = await server.WaitForOutputAsync(o => o.Split('\n').Any(RefusedImport), TimeSpan.FromSeconds(30));
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var events = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var callEvents = events.Where(e => e.GetProperty("Category").GetString()!.StartsWith("Calc.Transport.Grpc.Telemetry", StringComparison.Ordinal)).ToList();

            Assert.Contains(lines, RefusedImport);
            Assert.DoesNotContain(Key, output, StringComparison.Ordinal);
            Assert.True(lines.Length <= calls + StartupAllowance, $"{lines.Length} lines for {calls} calls:\n{output}");
            // one line per failed call (the echo refused by the service, the refused import); none per successful call
            Assert.Equal(2, callEvents.Count);
            Assert.All(callEvents, e => Assert.Contains("RequestId", e.GetProperty("State").EnumerateObject().Select(p => p.Name)));
            // the framework's per-request lines are off: hosting, routing, Kestrel's request lines, grpc-dotnet
            Assert.DoesNotContain(events, e => e.GetProperty("Category").GetString() is { } c
                && (c.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal) || c.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal)
                    || c.StartsWith("Grpc.", StringComparison.Ordinal)));
            Assert.Contains(LogRedactionMarker, output, StringComparison.Ordinal); // the quoted-back key was replaced, not dropped with its line
        }
        finally
        {
            if (emptyRoot is not null)
            {
                Directory.Delete(emptyRoot, recursive: true);
            }
        }
    }

    private const string LogRedactionMarker = "[REDACTED]";

    private static bool RefusedImport(string line) =>
        line.Contains("\"EventId\":2102", StringComparison.Ordinal) && line.Contains("ImportCbrRates", StringComparison.Ordinal);
}
