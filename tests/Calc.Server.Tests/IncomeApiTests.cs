using System.Globalization;
using System.Runtime.CompilerServices;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Server.Tests;

/// <summary>Income recognition through the real server: batch semantics, provenance, streams, deadlines.</summary>
public sealed class IncomeApiTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    // The fixture's closes and rates cover 2025-03-14 … 2025-03-18 (Moscow dates of these instants).
    private static readonly DateTimeOffset[] Instants =
    [
        new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero),
        new(2025, 3, 15, 21, 30, 0, TimeSpan.Zero), // 00:30 MSK on Sunday 16.03
        new(2025, 3, 16, 12, 0, 0, TimeSpan.Zero),
        new(2025, 3, 17, 20, 59, 59, TimeSpan.Zero), // 23:59:59 MSK on 17.03
        new(2025, 3, 17, 21, 0, 0, TimeSpan.Zero), // 00:00 MSK on 18.03
    ];

    private CalcClient Client() => new(fixture.Server.GrpcAddress);

    private static MiningReceipt Receipt(string id, DateTimeOffset at, string asset, string amount) =>
        new() { Id = id, ReceivedAt = Timestamp.FromDateTimeOffset(at), Asset = asset, Amount = amount };

    [Fact]
    public async Task RecognizeIncome_BadRowsAmongGoodOnes_FailOnlyThemselvesInOrder()
    {
        var request = new RecognizeIncomeRequest
        {
            Receipts =
            {
                Receipt("a", Instants[1], "BTC", "0.05"),
                Receipt("b", Instants[1], "BTC", "1,5"),
                Receipt("c", Instants[1], "DOGE", "10"),
                new MiningReceipt { Id = "d", Asset = "BTC", Amount = "1" },
                Receipt("a", Instants[2], "BTC", "0.01"),
                Receipt("e", new DateTimeOffset(2025, 4, 10, 12, 0, 0, TimeSpan.Zero), "BTC", "0.01"),
                Receipt("f", Instants[2], "ETH", "-2"),
                Receipt("g", Instants[2], "ETH", "2"),
            },
        };

        var response = await Client().RecognizeIncomeAsync(request);

        Assert.Equal(["a", "b", "c", "d", "a", "e", "f", "g"], response.Results.Select(r => r.ReceiptId));
        Assert.Equal("353292.65", response.Results[0].Income.IncomeRub); // 0.05 × 82574.53 × 85.5694
        Assert.Equal(["INVALID_DECIMAL", "PRICE_NOT_FOUND", "MISSING_FIELD", "DUPLICATE_ID", "PRICE_NOT_FOUND", "INVALID_AMOUNT"],
            response.Results.Skip(1).Take(6).Select(r => r.Error.Reason));
        Assert.Equal("amount", response.Results[1].Error.Field);
        Assert.Equal("322938.92", response.Results[7].Income.IncomeRub); // 2 × 1887.0 × 85.5694
        Assert.Equal(2, response.Totals.Count);
        Assert.All(response.Totals, t => Assert.Equal("2025-04-21", t.ReportDueDate)); // 20.04.2025 is a Sunday
        Assert.StartsWith("sha256:", response.RulesVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecognizeIncome_MoscowMidnight_DecidesTheIncomeDate()
    {
        var response = await Client().RecognizeIncomeAsync(new RecognizeIncomeRequest
        {
            Receipts = { Receipt("before", Instants[3], "BTC", "1"), Receipt("after", Instants[4], "BTC", "1") },
            InlineProvenance = true,
        });

        Assert.Equal("2025-03-17", response.Results[0].Income.IncomeDate);
        Assert.Equal("2025-03-18", response.Results[1].Income.IncomeDate);
        // Monday 17.03 uses Friday's rate (effective Sat 15.03); Tuesday 18.03 uses Monday's setting
        Assert.Equal("2025-03-15", response.Results[0].Income.Provenance.CbrEffectiveDate);
        Assert.Equal("2025-03-18", response.Results[1].Income.Provenance.CbrEffectiveDate);
    }

    [Fact]
    public async Task RecognizeIncome_UtcPolicy_MovesTheReceiptToTheUtcDay()
    {
        var response = await Client().RecognizeIncomeAsync(new RecognizeIncomeRequest
        {
            Policy = new ValuationPolicy { TimeZone = "Etc/UTC" },
            Receipts = { Receipt("r", Instants[1], "BTC", "1") },
        });

        Assert.Equal("2025-03-15", response.Results[0].Income.IncomeDate);
    }

    [Fact]
    public async Task RecognizeIncome_CoinbaseUsdPair_ConvertsAtTheCbrUsdRate()
    {
        var response = await Client().RecognizeIncomeAsync(new RecognizeIncomeRequest
        {
            Policy = new ValuationPolicy { Venue = "coinbase", QuoteCurrency = "USD", UsdtPolicy = UsdtPolicy.Reject },
            Receipts = { Receipt("r", Instants[2], "BTC", "1") },
        });

        var provenance = response.Provenances[response.Results[0].Income.ProvenanceIndex];
        Assert.Equal(("coinbase", "BTC/USD", "CBR_RATE"), (provenance.Venue, provenance.Pair, provenance.Conversion));
    }

    [Fact]
    public async Task RecognizeIncome_UsdtRejectedByPolicy_IsAPerItemError()
    {
        var response = await Client().RecognizeIncomeAsync(new RecognizeIncomeRequest
        {
            Policy = new ValuationPolicy { UsdtPolicy = UsdtPolicy.Reject },
            Receipts = { Receipt("r", Instants[2], "BTC", "1") },
        });

        Assert.Equal("USDT_NOT_CONVERTIBLE", response.Results[0].Error.Reason);
    }

    [Fact]
    public Task RecognizeIncome_OverTheBatchLimit_FailsTheCallWithReason()
    {
        var request = new RecognizeIncomeRequest();
        for (int i = 0; i < 10_001; i++)
        {
            request.Receipts.Add(Receipt(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Instants[0], "BTC", "0.001"));
        }

        return RpcAssert.FailsAsync(() => Client().RecognizeIncomeAsync(request), "INVALID_ARGUMENT", "TOO_MANY_ITEMS");
    }

    [Fact]
    public async Task RecognizeIncome_SameRequestTwice_GivesByteIdenticalAnswers()
    {
        var request = new RecognizeIncomeRequest();
        for (int i = 0; i < 500; i++)
        {
            request.Receipts.Add(Receipt("r" + i, Instants[i % Instants.Length], i % 3 == 0 ? "ETH" : "BTC", "0.00" + (1000 + i)));
        }

        var first = await Client().RecognizeIncomeAsync(request);
        var second = await Client().RecognizeIncomeAsync(request);

        Assert.Equal(first.ToByteArray(), second.ToByteArray());
    }

    [Fact]
    public async Task StreamRecognizeIncome_200kReceipts_TotalsEqualTheSumOfResults()
    {
        const int count = 200_000;
        const int chunk = 5_000;
        var results = new Dictionary<(int, int, string), (decimal Amount, decimal Rub, int Count)>();
        var provenances = new List<Provenance>();
        IncomeStreamSummary? summary = null;
        long received = 0;

        await foreach (var message in Client().StreamRecognizeIncomeAsync(Receipts(count, chunk)))
        {
            if (message.PayloadCase == RecognizeIncomeStreamResponse.PayloadOneofCase.Summary)
            {
                summary = message.Summary;
                continue;
            }

            provenances.AddRange(message.Results.Provenances);
            foreach (var r in message.Results.Results)
            {
                received++;
                var income = r.Income ?? throw new InvalidOperationException(r.Error.ToString());
                Assert.InRange(income.ProvenanceIndex, 0, provenances.Count - 1);
                var date = DateOnly.Parse(income.IncomeDate, System.Globalization.CultureInfo.InvariantCulture);
                var key = (date.Year, date.Month, income.Asset);
                results.TryGetValue(key, out var t);
                results[key] = (t.Amount + decimal.Parse(income.Amount, System.Globalization.CultureInfo.InvariantCulture),
                    t.Rub + decimal.Parse(income.IncomeRub, System.Globalization.CultureInfo.InvariantCulture), t.Count + 1);
            }
        }

        Assert.Equal(count, received);
        Assert.NotNull(summary);
        Assert.Equal(count, summary.ReceiptCount);
        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal(results.Count, summary.Totals.Count);
        foreach (var total in summary.Totals)
        {
            var expected = results[(total.Year, total.Month, total.Asset)];
            Assert.Equal(expected.Rub, decimal.Parse(total.IncomeRub, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected.Amount, decimal.Parse(total.Amount, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected.Count, total.ReceiptCount);
        }

        Assert.True(provenances.Count <= 10, $"{provenances.Count} provenance records for 2 assets over 5 days");
    }

    [PythonGrpcFact]
    public async Task StreamRecognizeIncome_ViaPythonGrpcio_ChunksGiveOrderedResultsAndTotalsThatAddUp()
    {
        // a policy, then three chunks; r4's decimal comma is a per-receipt error, not a failed call
        const string stream = """
            [
              {"policy": {}},
              {"receipts": {"receipts": [
                {"id": "r1", "received_at": "2025-03-15T21:30:00Z", "asset": "BTC", "amount": "0.05"},
                {"id": "r2", "received_at": "2025-03-16T12:00:00Z", "asset": "ETH", "amount": "2"}]}},
              {"receipts": {"receipts": [
                {"id": "r3", "received_at": "2025-03-14T09:00:00Z", "asset": "BTC", "amount": "0.01"},
                {"id": "r4", "received_at": "2025-03-14T09:00:00Z", "asset": "BTC", "amount": "1,5"},
                {"id": "r5", "received_at": "2025-03-17T20:59:59Z", "asset": "ETH", "amount": "0.5"}]}},
              {"receipts": {"receipts": [
                {"id": "r6", "received_at": "2025-03-17T21:00:00Z", "asset": "BTC", "amount": "0.002"},
                {"id": "r7", "received_at": "2024-12-31T12:00:00Z", "asset": "BTC", "amount": "0.1"}]}}
            ]
            """;

        var outcome = await PythonClient.CallAsync(fixture.Server.GrpcAddress, "calc.v1.IncomeService/StreamRecognizeIncome", stream);

        Assert.True(outcome.GetProperty("ok").GetBoolean(), outcome.ToString());
        var messages = outcome.GetProperty("responses").EnumerateArray().ToList();
        var results = messages.Where(m => m.TryGetProperty("results", out _))
            .SelectMany(m => m.GetProperty("results").TryGetProperty("results", out var r) ? r.EnumerateArray() : Enumerable.Empty<System.Text.Json.JsonElement>())
            .ToList();
        var summary = Assert.Single(messages, m => m.TryGetProperty("summary", out _)).GetProperty("summary");
        Assert.True(messages[^1].TryGetProperty("summary", out _), "the summary is the last message");

        Assert.Equal(["r1", "r2", "r3", "r4", "r5", "r6", "r7"], results.Select(r => r.GetProperty("receipt_id").GetString()));
        var error = results[3].GetProperty("error");
        Assert.Equal(("INVALID_DECIMAL", "amount"), (error.GetProperty("reason").GetString(), error.GetProperty("field").GetString()));
        var incomes = results.Where(r => r.TryGetProperty("income", out _)).Select(r => r.GetProperty("income")).ToList();
        // amount × close × CBR USD in force (fixture), rounded to kopecks: r1 0.05 × 82574.53 × 85.5694; r2 2 × 1887.0 × 85.5694;
        // r3 0.01 × 83983.2 × 86.6190; r5 0.5 × 1926.31 × 85.5694; r6 (18.03 in Moscow) 0.002 × 82715.03 × 84.3059;
        // r7 0.1 × 93576.0 × 101.6797 (the rate set before the New-Year holidays)
        Assert.Equal(["353292.65", "322938.92", "72745.41", "82416.60", "13946.73", "951477.96"],
            incomes.Select(i => i.GetProperty("income_rub").GetString()));
        Assert.Equal((7L, 1L), (Int64(summary, "receipt_count"), Int64(summary, "error_count")));
        var expected = incomes
            .GroupBy(i => (Year: int.Parse(i.GetProperty("income_date").GetString()![..4], CultureInfo.InvariantCulture),
                Month: int.Parse(i.GetProperty("income_date").GetString()![5..7], CultureInfo.InvariantCulture), Asset: i.GetProperty("asset").GetString()!))
            .OrderBy(g => g.Key.Year).ThenBy(g => g.Key.Month).ThenBy(g => g.Key.Asset, StringComparer.Ordinal)
            .Select(g => (g.Key.Year, g.Key.Month, g.Key.Asset, Rub: g.Sum(i => Dec(i, "income_rub")), Amount: g.Sum(i => Dec(i, "amount")), Count: g.Count()))
            .ToList();
        var totals = summary.GetProperty("totals").EnumerateArray()
            .Select(t => ((int)Int64(t, "year"), (int)Int64(t, "month"), t.GetProperty("asset").GetString()!, Dec(t, "income_rub"), Dec(t, "amount"), (int)Int64(t, "receipt_count")))
            .ToList();
        Assert.Equal(3, expected.Count); // 2024-12 BTC, 2025-03 BTC, 2025-03 ETH
        Assert.Equal(expected, totals);
    }

    [Fact]
    public async Task StreamRecognizeIncome_FirstMessageNotAPolicy_FailsTheCall()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in Client().StreamRecognizeIncomeAsync(OneChunkWithoutPolicy()))
            {
            }
        });

        Assert.Equal("INVALID_ARGUMENT", Calc.Transport.Grpc.GrpcErrors.CodeName(e.StatusCode));
        Assert.Equal("MISSING_FIELD", RpcAssert.ReasonOf(e));
    }

    [Fact]
    public async Task StreamRecognizeIncome_DeadlinePassesMidStream_EndsPromptlyAndServerStaysHealthy()
    {
        // the deadline is the server's alone (grpc-timeout: 800m, no client timer), so its own enforcement is what ends the call
        using var client = CalcClient.WithServerDeadline(fixture.Server.GrpcAddress, TimeSpan.FromMilliseconds(800));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in client.StreamRecognizeIncomeAsync(Receipts(1_000_000, 1_000, delayPerChunk: TimeSpan.FromMilliseconds(50))))
            {
            }
        });

        // DEADLINE_EXCEEDED in trailers, or the stream reset that follows them, which Grpc.Net.Client reports around
        // the HttpProtocolException as CANCELLED, or as INTERNAL "Error reading next message" when the reset arrives
        // while it reads a message (seen under a loaded machine); the server's own status is checked below
        Assert.True(e is RpcException { StatusCode: StatusCode.DeadlineExceeded } or OperationCanceledException or HttpProtocolException
            || e is RpcException { StatusCode: StatusCode.Cancelled or StatusCode.Internal, InnerException: HttpProtocolException }, e.ToString());
        // without the deadline the 1,000 chunks paced 50 ms apart would take 50 s: a bound far below that, far above 800 ms
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"the call took {started.Elapsed} for an 800 ms deadline");
        // the server's own side of the call ended at the deadline (its log line), not merely the client's view of it
        string log = await fixture.Server.WaitForOutputAsync(o => o.Contains("StreamRecognizeIncome finished DEADLINE_EXCEEDED", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("StreamRecognizeIncome finished DEADLINE_EXCEEDED", log, StringComparison.Ordinal);
        var rate = await Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-03-16" });
        Assert.Equal("85.5694", rate.Value);
    }

    [Fact]
    public async Task StreamRecognizeIncome_ClientCancelsAfterFirstChunk_StopsAndServerStaysHealthy()
    {
        using var cts = new CancellationTokenSource();
        int chunks = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Client().StreamRecognizeIncomeAsync(Receipts(1_000_000, 1_000, delayPerChunk: TimeSpan.FromMilliseconds(10)), cancellationToken: cts.Token))
            {
                if (++chunks == 1)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(1, chunks);
        // the server saw the reset and ended the call as CANCELLED (its log line): it stopped reading and computing
        string log = await fixture.Server.WaitForOutputAsync(o => o.Contains("StreamRecognizeIncome finished CANCELLED", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("StreamRecognizeIncome finished CANCELLED", log, StringComparison.Ordinal);
        var rate = await Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-03-16" });
        Assert.Equal("85.5694", rate.Value);
    }

    /// <summary>An integer field of the Python client's JSON: int64 comes as a string, and a 0 is left out.</summary>
    private static long Int64(System.Text.Json.JsonElement message, string name) =>
        !message.TryGetProperty(name, out var v) ? 0
        : v.ValueKind == System.Text.Json.JsonValueKind.String ? long.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetInt64();

    private static decimal Dec(System.Text.Json.JsonElement message, string name) =>
        decimal.Parse(message.GetProperty(name).GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> OneChunkWithoutPolicy()
    {
        await Task.Yield();
        yield return new RecognizeIncomeStreamRequest { Receipts = new ReceiptChunk { Receipts = { Receipt("r", Instants[0], "BTC", "1") } } };
    }

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> Receipts(int count, int chunkSize, TimeSpan? delayPerChunk = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy() };
        for (int start = 0; start < count; start += chunkSize)
        {
            if (delayPerChunk is { } delay)
            {
                await Task.Delay(delay, cancellationToken);
            }

            var chunk = new ReceiptChunk();
            for (int i = start; i < Math.Min(count, start + chunkSize); i++)
            {
                var at = Instants[i % Instants.Length].AddSeconds(i % 600);
                chunk.Receipts.Add(Receipt("r" + i, at, i % 2 == 0 ? "BTC" : "ETH", "0.0000" + (1000 + (i % 9000))));
            }

            yield return new RecognizeIncomeStreamRequest { Receipts = chunk };
        }
    }
}
