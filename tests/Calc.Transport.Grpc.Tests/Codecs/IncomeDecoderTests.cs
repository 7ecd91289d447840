using Calc.Application.Income;
using Calc.Transport.Grpc.Codecs;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>
/// The hand-written request decoder against Google.Protobuf's generated parser over the same bytes: the same
/// receipts (id, instant, asset, amount, out-of-range flag), policy and flags, or both rejecting the input.
/// Inputs: generated requests re-encoded with shuffled field order, repeated fields (last wins / merge),
/// split timestamps, unknown fields of every wire type, and random byte mutations.
/// </summary>
public sealed class IncomeDecoderTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void DecodeBatch_CanonicalRequests_MatchGeneratedParser()
    {
        Prop.ForAll(IncomeGenerators.Requests().ToArbitrary(), request =>
        {
            var bytes = request.ToByteArray();
            Assert.True(IncomeDecoder.TryDecodeBatch(bytes, out var fast), "a canonical request must take the fast path");
            AssertSameBatch(V1.RecognizeIncomeRequest.Parser.ParseFrom(bytes), fast!);
        }).Check(Config);
    }

    [Fact]
    public void DecodeBatch_ScrambledWire_MatchesGeneratedParser()
    {
        int fastPath = 0, total = 0;
        Prop.ForAll(ScrambledRequests().ToArbitrary(), bytes =>
        {
            var expected = V1.RecognizeIncomeRequest.Parser.ParseFrom(bytes);
            AssertSameBatch(expected, IncomeDecoder.DecodeBatch(new(bytes)));
            total++;
            if (IncomeDecoder.TryDecodeBatch(bytes, out var fast))
            {
                fastPath++;
                AssertSameBatch(expected, fast!);
            }
        }).Check(Config);

        // most scrambled requests have no group fields, so the fast path itself is what was compared
        Assert.True(fastPath > total / 3, $"fast path took {fastPath} of {total}");
    }

    [Fact]
    public void DecodeBatch_MutatedBytes_AcceptsAndRejectsLikeGeneratedParser()
    {
        var mutated = from bytes in ScrambledRequests()
                      from mutations in Mutations().ArrayOf().Select(m => m.Take(4).ToArray())
                      select mutations.Aggregate(bytes, (b, m) => m(b));
        Prop.ForAll(mutated.ToArbitrary(), bytes =>
        {
            V1.RecognizeIncomeRequest? expected = null;
            try
            {
                expected = V1.RecognizeIncomeRequest.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                Assert.Throws<InvalidProtocolBufferException>(() => IncomeDecoder.DecodeBatch(new(bytes)));
                return;
            }

            AssertSameBatch(expected, IncomeDecoder.DecodeBatch(new(bytes)));
        }).Check(Config.WithMaxTest(1000));
    }

    [Fact]
    public void DecodeBatch_SegmentedPayload_MatchesContiguous()
    {
        var request = new V1.RecognizeIncomeRequest();
        for (int i = 0; i < 300; i++)
        {
            request.Receipts.Add(new V1.MiningReceipt
            {
                Id = "r" + i, Asset = i % 2 == 0 ? "BTC" : "ETH", Amount = "0.00" + (i + 1),
                ReceivedAt = new Timestamp { Seconds = 1_741_950_000 + i, Nanos = i },
            });
        }

        var bytes = request.ToByteArray();
        var segmented = Segments.Sequence(bytes.Chunk(1000).ToArray());

        AssertSameBatch(request, IncomeDecoder.DecodeBatch(segmented));
    }

    [Theory]
    [InlineData(253_402_300_799L, 999_999_999, false)]
    [InlineData(253_402_300_800L, 0, true)]
    [InlineData(-62_135_596_800L, 0, false)]
    [InlineData(-62_135_596_801L, 999_999_999, true)]
    [InlineData(0L, -1, true)]
    [InlineData(0L, 1_000_000_000, true)]
    public void DecodeBatch_TimestampBounds_FlagOutOfRangeLikeTheReferencePath(long seconds, int nanos, bool outOfRange)
    {
        var request = new V1.RecognizeIncomeRequest { Receipts = { new V1.MiningReceipt { Id = "t", ReceivedAt = new Timestamp { Seconds = seconds, Nanos = nanos } } } };

        var batch = IncomeDecoder.DecodeBatch(IncomeFixture.Bytes(request)).Receipts;

        Assert.Equal(outOfRange, batch.TimestampOutOfRange(0));
        Assert.Equal(outOfRange ? null : request.Receipts[0].ReceivedAt.ToDateTimeOffset(), batch[0].ReceivedAt);
        AssertSameReceipts(request.Receipts, batch);
    }

    [Fact]
    public void DecodeBatch_ManyTinyReceipts_GrowsTheBatchPastItsEstimate()
    {
        // 2 bytes a receipt: the first guess (payload / 48) is far too small
        var request = new V1.RecognizeIncomeRequest();
        for (int i = 0; i < 1000; i++)
        {
            request.Receipts.Add(i % 100 == 0 ? new V1.MiningReceipt { Id = "n" + i } : new V1.MiningReceipt());
        }

        var batch = IncomeDecoder.DecodeBatch(IncomeFixture.Bytes(request)).Receipts;

        Assert.Equal(1000, batch.Count);
        Assert.Equal("n900", batch[900].Id);
        AssertSameReceipts(request.Receipts, batch);
        batch.Release();
        Assert.Empty(batch);
    }

    [Fact]
    public void DecodeBatch_EmptyPayload_NoPolicyNoReceipts()
    {
        var request = IncomeDecoder.DecodeBatch(System.Buffers.ReadOnlySequence<byte>.Empty);

        Assert.Null(request.Policy);
        Assert.False(request.InlineProvenance);
        Assert.Empty(request.Receipts);
    }

    [Fact]
    public void DecodeBatch_InvalidUtf8Id_DecodesLikeGeneratedParser()
    {
        // MiningReceipt { id = 0xC3 0x28 } inside receipts = 2: Google.Protobuf's answer is the reference
        byte[] bytes = [0x12, 0x04, 0x0A, 0x02, 0xC3, 0x28];
        V1.RecognizeIncomeRequest? expected = null;
        try
        {
            expected = V1.RecognizeIncomeRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
        }

        if (expected is null)
        {
            Assert.Throws<InvalidProtocolBufferException>(() => IncomeDecoder.DecodeBatch(new(bytes)));
        }
        else
        {
            AssertSameBatch(expected, IncomeDecoder.DecodeBatch(new(bytes)));
            Assert.Equal("\uFFFD(", expected.Receipts[0].Id);
        }
    }

    [Fact]
    public void DecodeBatch_KnownAssetCodes_AreSharedStrings()
    {
        var request = new V1.RecognizeIncomeRequest { Receipts = { new V1.MiningReceipt { Asset = "BTC" }, new V1.MiningReceipt { Asset = "BTC" } } };

        var first = IncomeDecoder.DecodeBatch(IncomeFixture.Bytes(request));
        var second = IncomeDecoder.DecodeBatch(IncomeFixture.Bytes(request));

        Assert.Equal("BTC", first.Receipts[0].Asset);
        Assert.Same(first.Receipts[0].Asset, first.Receipts[1].Asset);
        Assert.Same(first.Receipts[0].Asset, second.Receipts[1].Asset);
    }

    [Fact]
    public void DecodeStreamMessage_OneofAndPackedChunks_MatchGeneratedParser()
    {
        var messages = from parts in StreamParts().ArrayOf().Select(p => p.Take(6).ToArray())
                       from unknown in IncomeGenerators.UnknownFields().ArrayOf().Select(u => u.Take(2).ToArray())
                       select parts.Concat(unknown).SelectMany(b => b).ToArray();
        int fastPath = 0, total = 0;
        Prop.ForAll(messages.ToArbitrary(), bytes =>
        {
            var expected = V1.RecognizeIncomeStreamRequest.Parser.ParseFrom(bytes);
            total++;
            if (IncomeDecoder.TryDecodeStreamMessage(bytes, out var fast))
            {
                fastPath++;
                fast!.Receipts?.Release();
            }

            var actual = IncomeDecoder.DecodeStreamMessage(new(bytes));
            Assert.Equal(expected.PayloadCase, actual.PayloadCase);
            Assert.Equal(expected.Policy, actual.Policy);
            Assert.Equal(expected.ResumeFromChunk, actual.ResumeFromChunk);
            if (expected.PayloadCase == V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Receipts)
            {
                AssertSameReceipts(expected.Receipts.Receipts, actual.Receipts!);
            }
            else
            {
                Assert.Null(actual.Receipts);
            }
        }).Check(Config);

        Assert.True(fastPath > total / 3, $"fast path took {fastPath} of {total}");
    }

    private static void AssertSameBatch(V1.RecognizeIncomeRequest expected, IncomeBatchRequest actual)
    {
        Assert.Equal(expected.Policy, actual.Policy);
        Assert.Equal(expected.InlineProvenance, actual.InlineProvenance);
        AssertSameReceipts(expected.Receipts, actual.Receipts);
    }

    private static void AssertSameReceipts(IList<V1.MiningReceipt> expected, ReceiptBatch actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var r = expected[i];
            bool valid = r.ReceivedAt is { } t && t.Seconds is >= -62_135_596_800L and <= 253_402_300_799L && t.Nanos is >= 0 and <= 999_999_999;
            // the monthly report's fields are kept too (empty = absent), the operation type as its wire value
            var want = new ReceiptInput(r.Id, valid ? r.ReceivedAt!.ToDateTimeOffset() : null, r.Asset, r.Amount,
                r.WalletAddress.Length > 0 ? r.WalletAddress : null, r.TxId.Length > 0 ? r.TxId : null, r.Pool.Length > 0 ? r.Pool : null,
                (Calc.Domain.Income.MiningOperation)(int)r.OperationType);
            Assert.Equal(want, actual[i]);
            Assert.Equal(want.ReceivedAt?.Offset, actual[i].ReceivedAt?.Offset);
            Assert.Equal(r.ReceivedAt is not null && !valid, actual.TimestampOutOfRange(i));
        }
    }

    /// <summary>A request re-encoded field by field: shuffled, with decoys before the real values, split timestamps, unknown fields.</summary>
    private static Gen<byte[]> ScrambledRequests() =>
        from receipts in ScrambledReceipt().ArrayOf().Select(r => r.Take(12).ToArray())
        from policies in IncomeGenerators.Policies().ArrayOf().Select(p => p.Take(2).Where(x => x is not null).Select(x => Tagged(1, x!.ToByteArray())).ToArray())
        from inline in Gen.Elements<byte[]>([], [0x18, 0x01], [0x18, 0x00], [0x18, 0x02], [0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        from unknown in IncomeGenerators.UnknownFields().ArrayOf().Select(u => u.Take(3).ToArray())
        from seed in Gen.Choose(0, int.MaxValue)
        select Shuffle(receipts.Select(r => Tagged(2, r)).Concat(policies).Append(inline).Concat(unknown), seed);

    private static Gen<byte[]> ScrambledReceipt() =>
        from r in IncomeGenerators.Receipts()
        from decoyId in Gen.Elements(false, true)
        from splitTime in Gen.Elements(false, true)
        from explicitEmpty in Gen.Elements(false, true)
        from unknown in IncomeGenerators.UnknownFields().ArrayOf().Select(u => u.Take(2).ToArray())
        from seed in Gen.Choose(0, int.MaxValue)
        select Shuffle(ReceiptFields(r, decoyId, splitTime, explicitEmpty).Concat(unknown), seed);

    private static IEnumerable<byte[]> ReceiptFields(V1.MiningReceipt r, bool decoyId, bool splitTime, bool explicitEmpty)
    {
        var fields = new List<byte[]>();
        void Text(int number, string value)
        {
            if (value.Length > 0 || explicitEmpty)
            {
                fields.Add(IncomeGenerators.Field(number, o => { o.WriteTag(number, WireFormat.WireType.LengthDelimited); o.WriteString(value); }));
            }
        }

        if (decoyId)
        {
            Text(1, "decoy");
        }

        Text(1, r.Id);
        Text(3, r.Asset);
        Text(4, r.Amount);
        Text(7, r.Pool);
        if (r.ReceivedAt is { } t)
        {
            if (splitTime)
            {
                fields.Add(Tagged(2, new Timestamp { Seconds = t.Seconds }.ToByteArray()));
                fields.Add(Tagged(2, new Timestamp { Nanos = t.Nanos }.ToByteArray()));
            }
            else
            {
                fields.Add(Tagged(2, t.ToByteArray()));
            }
        }

        return fields;
    }

    private static Gen<byte[]> StreamParts() => Gen.OneOf(
        IncomeGenerators.Policies().Select(p => Tagged(1, (p ?? new V1.ValuationPolicy()).ToByteArray())),
        // resume_from_chunk = 3 (int64): small, past int32, negative
        Gen.OneOf(Gen.Choose(0, 100_000).Select(v => (long)v), Gen.Elements(1L << 33, -1L, long.MinValue))
            .Select(v => IncomeGenerators.Field(3, o => { o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt64(v); })),
        ScrambledReceipt().ArrayOf().Select(r => Tagged(2, r.Take(5).SelectMany(x => Tagged(1, x)).ToArray())));

    private static Gen<Func<byte[], byte[]>> Mutations() => Gen.OneOf(
        from at in Gen.Choose(0, 10_000) from value in Gen.Choose(0, 255)
        select (Func<byte[], byte[]>)(b => b.Length == 0 ? b : Set(b, at % b.Length, (byte)value)),
        from cut in Gen.Choose(0, 10_000) select (Func<byte[], byte[]>)(b => b[..(b.Length == 0 ? 0 : cut % b.Length)]),
        from at in Gen.Choose(0, 10_000) from junk in Gen.Elements<byte[]>([0x00], [0xFF, 0xFF], [0x0B], [0x0C], [0x0F], [0x12, 0x7F], [0x80])
        select (Func<byte[], byte[]>)(b => [.. b[..(b.Length == 0 ? 0 : at % b.Length)], .. junk, .. b[(b.Length == 0 ? 0 : at % b.Length)..]]));

    private static byte[] Set(byte[] bytes, int index, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] Tagged(int number, byte[] body) =>
        IncomeGenerators.Field(number, o => { o.WriteTag(number, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(body)); });

    private static byte[] Shuffle(IEnumerable<byte[]> parts, int seed)
    {
        var list = parts.ToList();
        var random = new Random(seed);
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list.SelectMany(p => p).ToArray();
    }
}
