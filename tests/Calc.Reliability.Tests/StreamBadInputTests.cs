using Grpc.Core;
using Calc.Reliability.Tests.Infrastructure;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Reliability.Tests;

/// <summary>Malformed StreamRecognizeIncome conversations (the streaming method is outside the unary table).</summary>
public sealed class StreamBadInputTests(ReliabilityServerFixture fixture) : IClassFixture<ReliabilityServerFixture>, IDisposable
{
    private readonly Grpc.Net.Client.GrpcChannel _channel = RpcChannel.For(fixture.Server.GrpcAddress);

    public static TheoryData<string, string, string, string> Rows => new()
    {
        // name, messages ("P" policy, "Pz" policy with a bad zone, "R" a chunk of one receipt, "Rn" n receipts, "E" an empty chunk), status, reason
        { "receipts before the policy", "R", "INVALID_ARGUMENT", "MISSING_FIELD" },
        { "policy twice", "P P R", "INVALID_ARGUMENT", "INVALID_FIELD" },
        { "no messages at all", "", "INVALID_ARGUMENT", "MISSING_FIELD" },
        { "unknown time zone in the policy", "Pz R", "INVALID_ARGUMENT", "INVALID_TIME_ZONE" },
        { "chunk over the item limit", "P R10001", "INVALID_ARGUMENT", "TOO_MANY_ITEMS" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Stream_Malformed_FailsWithStatusAndReason(string name, string messages, string status, string reason)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in new CalcClients(_channel).StreamRecognizeIncomeAsync(Requests(messages)))
            {
            }
        });

        Assert.True((status, reason) == (error.StatusName(), RpcAssert.ReasonOf(error)), $"{name}: {error.StatusName()} {RpcAssert.ReasonOf(error)} {error.Status.Detail}");
    }

    public void Dispose() => _channel.Dispose();

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Requests(string script)
    {
        foreach (var token in script.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            await Task.Yield();
            if (token.StartsWith('P'))
            {
                yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy { TimeZone = token == "Pz" ? "Mars/Olympus" : "" } };
                continue;
            }

            int n = token.Length > 1 ? int.Parse(token[1..], System.Globalization.CultureInfo.InvariantCulture) : 1;
            var chunk = new ReceiptChunk();
            for (int i = 0; i < n; i++)
            {
                chunk.Receipts.Add(new MiningReceipt { Id = $"r{i}", Asset = "BTC", Amount = "0.05", ReceivedAt = Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)) });
            }

            yield return new RecognizeIncomeStreamRequest { Receipts = chunk };
        }
    }
}
