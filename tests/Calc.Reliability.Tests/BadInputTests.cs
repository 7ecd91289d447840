using System.Text.Json;
using Grpc.Core;
using Calc.Reliability.Tests.Infrastructure;
using Calc.Server.Tests.Infrastructure;

namespace Calc.Reliability.Tests;

/// <summary>Runs every row of <see cref="BadInputTable"/> through gRPC (Grpc.Net.Client over h2c) and Connect JSON (HTTP/1.1).</summary>
public sealed class BadInputTests(ReliabilityServerFixture fixture) : IClassFixture<ReliabilityServerFixture>, IDisposable
{
    private readonly Grpc.Net.Client.GrpcChannel _channel = RpcChannel.For(fixture.Server.GrpcAddress);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public void Table_HasAtLeastSixtyRowsCoveringEveryUnaryMethod()
    {
        var covered = BadInputTable.Rows.Select(r => r.Method).ToHashSet();

        Assert.True(BadInputTable.Rows.Length >= 60, $"{BadInputTable.Rows.Length} rows");
        Assert.Equal(BadInputTable.Rows.Length, BadInputTable.Rows.Select(r => r.Name).Distinct().Count());
        Assert.Empty(Methods.ByPath.Keys.Where(m => m != "calc.v1.QuoteService/ListVenues").Except(covered));
    }

    [Theory]
    [MemberData(nameof(BadInputTable.Names), MemberType = typeof(BadInputTable))]
    public async Task BadInput_ViaGrpc_GetsStatusAndReason(string name)
    {
        var row = BadInputTable.Row(name);
        var request = Methods.ParseRequest(row.Method, row.Json);

        Outcome outcome;
        try
        {
            var response = await Methods.CallAsync(_channel, row.Method, request);
            outcome = ItemOutcome(JsonDocument.Parse(Methods.ToJson(response)).RootElement);
        }
        catch (RpcException e)
        {
            outcome = new Outcome(e.StatusName(), RpcAssert.ReasonOf(e), 200, e.Status.Detail, []);
        }

        AssertMatches(row, outcome);
    }

    [Theory]
    [MemberData(nameof(BadInputTable.Names), MemberType = typeof(BadInputTable))]
    public async Task BadInput_ViaConnectJson_GetsStatusAndReason(string name)
    {
        var row = BadInputTable.Row(name);

        using var content = Wire.Json(row.Json);
        var outcome = await Wire.ConnectAsync(_http, fixture.Server.Http1Address, row.Method, content);
        if (outcome.Ok)
        {
            outcome = ItemOutcome(JsonDocument.Parse(outcome.Body).RootElement);
        }

        AssertMatches(row, outcome);
    }

    public void Dispose()
    {
        _channel.Dispose();
        _http.Dispose();
    }

    private static void AssertMatches(BadInput row, Outcome outcome)
    {
        string expected = $"{(row.Level == Level.Item ? "item " : "")}{row.Status} {row.Reason}";
        string actual = $"{(outcome.HttpStatus == -1 ? "item " : "")}{outcome.Status} {outcome.Reason}";
        Assert.True(expected == actual, $"{row.Name}: expected {expected}, got {actual} ({outcome.Message})");
    }

    /// <summary>A successful batch answer: the first per-item error (code, reason) in document order, if any.</summary>
    private static Outcome ItemOutcome(JsonElement root) =>
        FirstItemError(root) is { } error
            ? new Outcome(error.GetProperty("code").GetString()!, error.GetProperty("reason").GetString(), -1,
                error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "", [])
            : new Outcome("OK", null, 200, root.ToString(), []);

    private static JsonElement? FirstItemError(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                if (e.TryGetProperty("code", out _) && e.TryGetProperty("reason", out _))
                {
                    return e;
                }

                foreach (var p in e.EnumerateObject())
                {
                    if (FirstItemError(p.Value) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    if (FirstItemError(item) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
