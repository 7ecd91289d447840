using Calc.Domain.Errors;
using Calc.Transport.Grpc.Codecs;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>
/// Both forms of each IncomeService rpc over real market data (14–18 March 2025): the generated-message form
/// serialised by Google.Protobuf and the codec form (decode → service → encode) give the same bytes for the
/// same request bytes — valid and invalid receipts, duplicates, out-of-range instants, inline provenance,
/// other policies — and the same error when the call fails.
/// </summary>
public sealed class IncomeServiceEquivalenceTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(150);

    [Fact]
    public void RecognizeIncome_GeneratedRequests_CodecAnswersByteForByte()
    {
        Prop.ForAll(IncomeGenerators.Requests().ToArbitrary(), request =>
        {
            var bytes = request.ToByteArray();
            var expected = Run(() => IncomeFixture.Service.RecognizeIncome(V1.RecognizeIncomeRequest.Parser.ParseFrom(bytes), new InProcessCallContext())
                .GetAwaiter().GetResult().ToByteArray());
            var actual = Run(() =>
            {
                var reply = IncomeFixture.Service.RecognizeIncome(new RecognizeIncomeCodec().Requests.Read(new(bytes)), new InProcessCallContext())
                    .GetAwaiter().GetResult();
                return IncomeFixture.Encode(new RecognizeIncomeCodec().Responses, reply);
            });

            Assert.Equal(expected, actual);
        }).Check(Config);
    }

    [Fact]
    public async Task RecognizeIncome_AllValidReceipts_ValuesThemAndMatches()
    {
        var request = new V1.RecognizeIncomeRequest { InlineProvenance = true };
        for (int i = 0; i < 50; i++)
        {
            request.Receipts.Add(new V1.MiningReceipt
            {
                Id = "чек-" + i, Asset = i % 3 == 0 ? "ETH" : "BTC", Amount = "0.00" + (i + 10),
                ReceivedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero).AddHours(i * 2)),
            });
        }

        var bytes = request.ToByteArray();
        var expected = await IncomeFixture.Service.RecognizeIncome(V1.RecognizeIncomeRequest.Parser.ParseFrom(bytes), new InProcessCallContext());
        var reply = await IncomeFixture.Service.RecognizeIncome(new RecognizeIncomeCodec().Requests.Read(new(bytes)), new InProcessCallContext());
        var actual = IncomeFixture.Encode(new RecognizeIncomeCodec().Responses, reply);

        Assert.Equal(50, expected.Results.Count);
        Assert.All(expected.Results, r => Assert.Equal(V1.IncomeResult.ResultOneofCase.Income, r.ResultCase));
        Assert.Equal(expected.ToByteArray(), actual);
    }

    [Fact]
    public void StreamRecognizeIncome_GeneratedStreams_CodecAnswersByteForByte()
    {
        var streams = from policy in IncomeGenerators.Policies()
                      from chunks in IncomeGenerators.Requests(25).ArrayOf().Select(c => c.Take(4).ToArray())
                      from shape in Gen.Elements("policy first", "policy first", "no policy", "policy twice", "empty")
                      select Stream(policy, chunks.Select(c => c.Receipts).ToArray(), shape);
        Prop.ForAll(streams.ToArbitrary(), messages =>
        {
            var expected = Run(() => RunReference(messages));
            var actual = Run(() => RunCodec(messages));
            Assert.Equal(expected, actual);
        }).Check(Config.WithMaxTest(80));
    }

    private static byte[][] Stream(V1.ValuationPolicy? policy, IList<V1.MiningReceipt>[] chunks, string shape)
    {
        var messages = new List<V1.RecognizeIncomeStreamRequest>();
        if (shape != "no policy")
        {
            messages.Add(new V1.RecognizeIncomeStreamRequest { Policy = policy ?? new V1.ValuationPolicy() });
        }

        if (shape == "empty")
        {
            return [.. messages.Select(m => m.ToByteArray())];
        }

        foreach (var chunk in chunks)
        {
            messages.Add(new V1.RecognizeIncomeStreamRequest { Receipts = new V1.ReceiptChunk { Receipts = { chunk } } });
        }

        if (shape == "policy twice")
        {
            messages.Add(new V1.RecognizeIncomeStreamRequest { Policy = new V1.ValuationPolicy() });
        }

        return [.. messages.Select(m => m.ToByteArray())];
    }

    private static List<byte[]> RunReference(byte[][] messages)
    {
        var writer = new BytesWriter<V1.RecognizeIncomeStreamResponse>(m => m.ToByteArray());
        var reader = new ListReader<V1.RecognizeIncomeStreamRequest>(messages.Select(m => V1.RecognizeIncomeStreamRequest.Parser.ParseFrom(m)));
        IncomeFixture.Service.StreamRecognizeIncome(reader, writer, new InProcessCallContext()).GetAwaiter().GetResult();
        return writer.Messages;
    }

    private static List<byte[]> RunCodec(byte[][] messages)
    {
        var codec = new StreamRecognizeIncomeCodec();
        var writer = new BytesWriter<IncomeStreamReply>(m => IncomeFixture.Encode(codec.Responses, m));
        var reader = new ListReader<IncomeStreamMessage>(messages.Select(m => codec.Requests.Read(new(m))));
        IncomeFixture.Service.StreamRecognizeIncome(reader, writer, new InProcessCallContext()).GetAwaiter().GetResult();
        return writer.Messages;
    }

    /// <summary>The answer, or the error's reason and field when the call fails (both forms must fail alike).</summary>
    private static object Run<T>(Func<T> call)
    {
        try
        {
            return call()!;
        }
        catch (CalcException ex)
        {
            return $"{ex.Error.Reason} {ex.Error.Field} {ex.Error.Message}";
        }
        catch (RpcException ex)
        {
            return $"{ex.StatusCode} {ex.Status.Detail}";
        }
    }
}
