using Calc.Application.Income;
using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Income;
using Calc.Transport.Grpc.Codecs;
using Calc.Transport.Grpc.Services.Calc;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>
/// The hand-written response encoder against Google.Protobuf serialising the generated messages that the
/// service's reference mapping builds from the same outcomes: byte-identical for any outcome (errors with
/// any strings, any decimal and date, any provenance index), inline provenance, totals with due-date errors.
/// </summary>
public sealed class IncomeEncoderTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void RecognizeIncomeReply_GeneratedOutcomes_IsByteIdenticalToGoogleProtobuf()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var expected = new V1.RecognizeIncomeResponse { RulesVersion = c.RulesVersion };
            expected.Provenances.AddRange(c.Provenances);
            ReferenceEncoding.AddResults(expected.Results, c.Request.Receipts, c.Chunk, c.Inline ? c.Provenances : null);
            ReferenceEncoding.AddTotals(expected.Totals, c.Totals);

            var tail = new V1.RecognizeIncomeResponse { RulesVersion = c.RulesVersion };
            tail.Provenances.AddRange(c.Provenances);
            ReferenceEncoding.AddTotals(tail.Totals, c.Totals);
            var batch = IncomeDecoder.DecodeBatch(IncomeFixture.Bytes(c.Request)).Receipts;
            var reply = new IncomeBatchReply(batch, c.Chunk, c.Inline ? c.Provenances : null, tail);

            Assert.Equal(expected.ToByteArray(), IncomeFixture.Encode(IncomeMarshallers.BatchReply, reply));
        }).Check(Config);
    }

    [Fact]
    public void StreamResultsReply_GeneratedOutcomes_IsByteIdenticalToGoogleProtobuf()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var chunk = new V1.IncomeResultChunk();
            chunk.Provenances.AddRange(c.Provenances);
            ReferenceEncoding.AddResults(chunk.Results, c.Request.Receipts, c.Chunk, null);
            var expected = new V1.RecognizeIncomeStreamResponse { Results = chunk };

            var tail = new V1.IncomeResultChunk();
            tail.Provenances.AddRange(c.Provenances);
            var batch = IncomeDecoder.DecodeStreamMessage(IncomeFixture.Bytes(new V1.RecognizeIncomeStreamRequest
            {
                Receipts = new V1.ReceiptChunk { Receipts = { c.Request.Receipts } },
            })).Receipts!;

            Assert.Equal(expected.ToByteArray(), IncomeFixture.Encode(IncomeMarshallers.StreamReply, IncomeStreamReply.Results(batch, c.Chunk, tail)));
        }).Check(Config);
    }

    [Fact]
    public void StreamSummaryReply_WithDueDateErrors_IsByteIdenticalToGoogleProtobuf()
    {
        var totals = new[]
        {
            new MonthlyTotal(2025, 3, "BTC", 0.05m, 353292.65m, 1, new DateOnly(2025, 4, 20), new DateOnly(2025, 4, 21), null),
            new MonthlyTotal(2040, 1, "ETH", 2.000m, 0m, 0, new DateOnly(2040, 2, 20), null,
                CalcError.Precondition("CALENDAR_NOT_COVERED", "the production calendar does not cover 2040", "report_due_date")),
        };
        var summary = new V1.IncomeStreamSummary { RulesVersion = "sha256:abc", ReceiptCount = 3_000_000_000L, ErrorCount = -1 };
        ReferenceEncoding.AddTotals(summary.Totals, totals);

        var bytes = IncomeFixture.Encode(IncomeMarshallers.StreamReply, IncomeStreamReply.Closing(summary));

        Assert.Equal(new V1.RecognizeIncomeStreamResponse { Summary = summary }.ToByteArray(), bytes);
        Assert.Equal("CALENDAR_NOT_COVERED", V1.RecognizeIncomeStreamResponse.Parser.ParseFrom(bytes).Summary.Totals[1].ReportDueDateError.Reason);
    }

    [Fact]
    public void RecognizeIncomeReply_AfterWrite_ReleasesTheReceipts()
    {
        var request = new V1.RecognizeIncomeRequest { Receipts = { new V1.MiningReceipt { Id = "a", Asset = "BTC", Amount = "1" } } };
        var batch = IncomeDecoder.DecodeBatch(IncomeFixture.Bytes(request)).Receipts;
        var chunk = new IncomeChunk([new IncomeOutcome(new DateOnly(2025, 3, 14), 7274386.93m, 0, null)], [], 0, 0);

        var bytes = IncomeFixture.Encode(IncomeMarshallers.BatchReply, new IncomeBatchReply(batch, chunk, null, new V1.RecognizeIncomeResponse()));

        Assert.Empty(batch);
        var result = V1.RecognizeIncomeResponse.Parser.ParseFrom(bytes).Results.Single();
        Assert.Equal("a", result.ReceiptId);
        Assert.Equal("2025-03-14", result.Income.IncomeDate);
        Assert.Equal("7274386.93", result.Income.IncomeRub);
        Assert.Equal("1", result.Income.Amount);
    }

    internal sealed record Case(V1.RecognizeIncomeRequest Request, IncomeChunk Chunk, V1.Provenance[] Provenances, bool Inline,
        IReadOnlyList<MonthlyTotal> Totals, string RulesVersion)
    {
        public override string ToString() => $"{Request.Receipts.Count} receipts, inline {Inline}, {Provenances.Length} provenances, {Totals.Count} totals";
    }

    private static Gen<Case> Cases() =>
        from request in IncomeGenerators.Requests(30)
        from provenances in Provenances().ArrayOf().Select(p => p.Take(4).ToArray())
        from firstNew in Gen.Elements(0, 0, 1, 200, 70_000)
        from inline in Gen.Elements(false, true)
        from outcomes in Outcomes(request.Receipts.Count, firstNew, provenances.Length, inline)
        from totals in Totals().ArrayOf().Select(t => t.Take(3).ToArray())
        from rules in Gen.Elements("", "sha256:0f1e2d", "правила")
        select new Case(request, new IncomeChunk(outcomes, [], firstNew, outcomes.Count(o => !o.Ok)), provenances, inline, totals, rules);

    private static Gen<IncomeOutcome[]> Outcomes(int count, int firstNew, int provenanceCount, bool inline)
    {
        var index = inline
            ? (provenanceCount == 0 ? Gen.Constant(-1) : Gen.Choose(firstNew, firstNew + provenanceCount - 1))
            : Gen.OneOf(Gen.Elements(0, 1, 127, 128, 16_384, int.MaxValue, -1, int.MinValue), Gen.Choose(0, 100_000));
        var income = from date in Gen.Choose(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber)
                     from rub in IncomeGenerators.Decimals()
                     from i in index
                     select new IncomeOutcome(DateOnly.FromDayNumber(date), rub, i, null);
        var failed = IncomeGenerators.Errors().Select(IncomeOutcome.Failed);
        var outcome = inline && provenanceCount == 0 ? failed : Gen.Frequency((3, income), (1, failed));
        return outcome.ArrayOf(count);
    }

    private static Gen<V1.Provenance> Provenances() =>
        from venue in Gen.Elements("binance", "coinbase")
        from close in IncomeGenerators.Decimals()
        from rate in Gen.Elements("", "85.5694")
        from nominal in Gen.Elements(0, 1, 100)
        from isFinal in Gen.Elements(false, true)
        select new V1.Provenance
        {
            Venue = venue, Pair = "BTC/USDT", CloseDate = "2025-03-14", CloseTime = new Timestamp { Seconds = 1_741_996_800 },
            Close = close.ToString(System.Globalization.CultureInfo.InvariantCulture), CbrCurrency = rate.Length > 0 ? "USD" : "",
            CbrRate = rate, CbrNominal = nominal, CbrEffectiveDate = rate.Length > 0 ? "2025-03-15" : "", Source = "import",
            IsFinal = isFinal, CbrUnitRate = rate, Conversion = "USDT_AS_USD",
        };

    private static Gen<MonthlyTotal> Totals() =>
        from year in Gen.Choose(2020, 2045)
        from month in Gen.Choose(1, 12)
        from asset in Gen.Elements("BTC", "ETH")
        from amount in IncomeGenerators.Decimals()
        from rub in IncomeGenerators.Decimals()
        from count in Gen.Choose(0, 10_000)
        from covered in Gen.Elements(false, true)
        select new MonthlyTotal(year, month, asset, amount, rub, count, new DateOnly(year, month, 20),
            covered ? new DateOnly(year, month, 21) : null,
            covered ? null : CalcError.Precondition("CALENDAR_NOT_COVERED", $"no production calendar for {year}", "report_due_date"));
}

/// <summary>The UTF-8 decimal formatter the encoder uses (<c>DecimalText.FormatUtf8</c>) against <c>decimal.ToString(InvariantCulture)</c>.</summary>
public sealed class DecimalUtf8Tests
{
    [Fact]
    public void Format_AnyDecimal_EqualsInvariantToString()
    {
        var values = Gen.OneOf(
            IncomeGenerators.Decimals(),
            from lo in Gen.Choose(int.MinValue, int.MaxValue) from mid in Gen.Choose(int.MinValue, int.MaxValue)
            from negative in Gen.Elements(false, true) from scale in Gen.Choose(0, 28)
            select new decimal(lo, mid, 0, negative, (byte)scale));
        Prop.ForAll(values.ToArbitrary(), value =>
        {
            Span<byte> buffer = stackalloc byte[DecimalText.MaxFormattedLength];
            int n = DecimalText.FormatUtf8(value, buffer);
            Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Text.Encoding.UTF8.GetString(buffer[..n]));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5000));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("0.05")]
    [InlineData("0.0000000000000000000000000001")]
    [InlineData("7274386.93")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("1844674407370955161.5")]
    [InlineData("-0.01")]
    [InlineData("9000000.00")]
    public void Format_EdgeValues_EqualsInvariantToString(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var buffer = new byte[DecimalText.MaxFormattedLength];

        int n = DecimalText.FormatUtf8(value, buffer);

        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(buffer, 0, n));
    }
}
