using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Calc.Reliability.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Calc.Reliability.Tests;

/// <summary>OTLP export (http/protobuf to a loopback collector), structured JSON logs, and what logs never contain.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Otlp_Configured_ExportsTransportAndServerMetricsAndRequestTraces()
    {
        var received = new ConcurrentDictionary<string, StringBuilder>(StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var collector = builder.Build();
        collector.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            // protobuf keeps names as plain UTF-8 strings, enough to see what was exported
            var sink = received.GetOrAdd(context.Request.Path.Value!, _ => new StringBuilder());
            lock (sink)
            {
                sink.Append(Encoding.Latin1.GetString(body.ToArray()));
            }

            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync();
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Telemetry__Otlp__Endpoint"] = collector.Urls.First(),
            ["Telemetry__Otlp__Protocol"] = "http/protobuf",
            ["Telemetry__Otlp__MetricsIntervalMs"] = "500",
        });
        using var channel = RpcChannel.For(server.GrpcAddress);
        await new CalcClients(channel).Quotes.GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }).ResponseAsync;

        // exports come on the exporters' own schedules (metrics every 500 ms here, traces in batches): wait, generously
        // for a loaded CI machine, until everything asserted below has arrived
        string metrics = "";
        string traces = "";
        string[] instruments = ["calc.grpc.server.calls", "calc.grpc.server.duration", "calc.market_data.closes", "calc.market_data.lookups", "kestrel.active_connections"];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(instruments.All(i => metrics.Contains(i, StringComparison.Ordinal)) && traces.Contains("Microsoft.AspNetCore", StringComparison.Ordinal))
            && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            metrics = received.TryGetValue("/v1/metrics", out var m) ? Snapshot(m) : "";
            traces = received.TryGetValue("/v1/traces", out var t) ? Snapshot(t) : "";
        }

        Assert.Contains("calc.grpc.server.calls", metrics, StringComparison.Ordinal);
        Assert.Contains("calc.grpc.server.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("calc.market_data.closes", metrics, StringComparison.Ordinal);
        Assert.Contains("calc.market_data.lookups", metrics, StringComparison.Ordinal); // the cache tier that answered the rate
        Assert.Contains("kestrel.active_connections", metrics, StringComparison.Ordinal);
        Assert.True(traces.Contains("Microsoft.AspNetCore", StringComparison.Ordinal), new string(traces.Where(c => c >= ' ' && c < 127).ToArray()));
        Assert.Contains("calc", metrics, StringComparison.Ordinal);
    }

    private static bool RefusedImport(string line) =>
        line.Contains("\"EventId\":2102", StringComparison.Ordinal) && line.Contains("ImportCbrRates", StringComparison.Ordinal);

    private static string Snapshot(StringBuilder sink)
    {
        lock (sink)
        {
            return sink.ToString();
        }
    }

    [Fact]
    public async Task Logs_AreJsonLines_WithoutReceiptDetailsOrKeys()
    {
        const string key = "k-5e6f7a8b9c0d1e2f3a4b";
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string> { ["Auth__ApiKeys"] = "erp=" + key });
        using var channel = RpcChannel.For(server.GrpcAddress);
        var client = new CalcClients(channel);
        var request = new RecognizeIncomeRequest
        {
            Receipts =
            {
                new MiningReceipt { Id = "r-secret-1", Asset = "BTC", Amount = "0.05", WalletAddress = "bc1qwalletthatmustnotbelogged", TxId = "txid-must-not-be-logged", ReceivedAt = Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)) },
                new MiningReceipt { Id = "r-secret-2", Asset = "BTC", Amount = "-1", WalletAddress = "bc1qwalletthatmustnotbelogged", ReceivedAt = Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)) },
            },
        };
        var options = new CallOptions(new Metadata { { "x-api-key", key } });

        await client.Income.RecognizeIncomeAsync(request, options).ResponseAsync;
        await Assert.ThrowsAsync<RpcException>(() => client.Quotes.ImportCbrRatesAsync(new ImportCbrRatesRequest(), new CallOptions(new Metadata { { "x-api-key", key + "-wrong" } })).ResponseAsync);
        // the refused import's event is logged after its status went out, through an asynchronous logger and pipe:
        // wait for it; it is the last event, so every line about the earlier call is in the output by then
        string output = await server.WaitForOutputAsync(o => o.Split('\n').Any(RefusedImport), TimeSpan.FromSeconds(30));
        string[] all = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // besides the JSON events, exactly one human line: where Calc listens and how to call it (on stderr)
        Assert.Single(all, l => l.StartsWith("Calc listening: ", StringComparison.Ordinal));
        string[] lines = all.Where(l => !l.StartsWith("Calc listening: ", StringComparison.Ordinal)).ToArray();

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
        Assert.Contains(lines, RefusedImport); // the refused import, as a structured event
        // its fields a log pipeline indexes: method, status, duration and request id
        var refused = JsonDocument.Parse(lines.Last(RefusedImport)).RootElement.GetProperty("State");
        Assert.EndsWith("calc.v1.QuoteService/ImportCbrRates", refused.GetProperty("Method").GetString(), StringComparison.Ordinal);
        Assert.Equal("UNAUTHENTICATED", refused.GetProperty("StatusCode").GetString());
        var elapsed = refused.GetProperty("ElapsedMs");
        Assert.True((elapsed.ValueKind == JsonValueKind.Number ? elapsed.GetDouble()
            : double.Parse(elapsed.GetString()!, System.Globalization.CultureInfo.InvariantCulture)) >= 0);
        Assert.False(string.IsNullOrWhiteSpace(refused.GetProperty("RequestId").GetString()));
        foreach (var secret in new[] { key, "bc1qwalletthatmustnotbelogged", "txid-must-not-be-logged", "r-secret-1", "r-secret-2" })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }
    }
}
