using Calc.Application.Income;
using Calc.Transport.Grpc.Codecs;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>
/// The stream-resume fields on the wire, as byte tables: <c>RecognizeIncomeStreamRequest.resume_from_chunk</c>
/// (field 3, int64) through the hand-written decoder — each payload decoded whole, split in two at every offset
/// and one byte at a time, and compared with Google.Protobuf's parser — and <c>IncomeResultChunk.chunk_index</c>
/// (field 3, int64) through the codec's marshaller, byte for byte.
/// </summary>
public sealed class StreamResumeCodecTests
{
    public static TheoryData<string, string, long, string?, int> Requests() => new()
    {
        {
            "policy then resume_from_chunk 300",
            """
            0A 09                    -- policy = 1, 9 bytes
               0A 07 62696E616E6365  --   venue = 1, "binance"
            18 AC 02                 -- resume_from_chunk = 3 (varint), 300
            """,
            300, "binance", -1
        },
        {
            "resume_from_chunk before the policy (field order is free)",
            """
            18 05                    -- resume_from_chunk = 5
            0A 09 0A 07 62696E616E6365
            """,
            5, "binance", -1
        },
        {
            "the last occurrence wins",
            """
            18 01                    -- resume_from_chunk = 1
            0A 00                    -- policy = 1, empty
            18 02                    -- resume_from_chunk = 2 (wins)
            """,
            2, "", -1
        },
        {
            "negative: a ten-byte varint, read as int64",
            """
            0A 00
            18 FF FF FF FF FF FF FF FF FF 01   -- resume_from_chunk = -1
            """,
            -1, "", -1
        },
        {
            "beyond int32: 2^40",
            """
            0A 00
            18 80 80 80 80 80 20     -- resume_from_chunk = 1099511627776
            """,
            1L << 40, "", -1
        },
        {
            "field 3 with the wrong wire type is an unknown field, skipped",
            """
            0A 00
            1A 02 0101               -- field 3, length-delimited: not resume_from_chunk
            """,
            0, "", -1
        },
        {
            "on a chunk of receipts (the server refuses it there, the codec still reads it)",
            """
            12 05                    -- receipts = 2, 5 bytes
               0A 03                 --   ReceiptChunk.receipts = 1, 3 bytes
                  0A 01 61           --     MiningReceipt.id = "a"
            18 07                    -- resume_from_chunk = 7
            """,
            7, null, 1
        },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void DecodeStreamMessage_ResumeFromChunk_WholeSplitAndBytewise(string name, string annotated, long resume, string? venue, int receipts)
    {
        byte[] payload = Segments.Hex(annotated);
        var reference = V1.RecognizeIncomeStreamRequest.Parser.ParseFrom(payload);
        Assert.Equal(resume, reference.ResumeFromChunk); // the table itself agrees with Google.Protobuf
        Assert.True(IncomeDecoder.TryDecodeStreamMessage(payload, out var fast), $"{name}: the fast path must take it");
        fast!.Receipts?.Release();

        foreach (var (plan, chunks) in Segments.Plans(payload))
        {
            var message = IncomeDecoder.DecodeStreamMessage(Segments.Sequence(chunks));

            Assert.True(resume == message.ResumeFromChunk, $"{name}, {plan}: resume_from_chunk {message.ResumeFromChunk}, expected {resume}");
            Assert.Equal(reference.PayloadCase, message.PayloadCase);
            Assert.Equal(venue, message.Policy?.Venue);
            Assert.Equal(receipts, message.Receipts?.Count ?? -1);
            message.Receipts?.Release();
        }
    }

    [Fact]
    public void DecodeStreamMessage_ResumeOnTheReferencePath_IsKept()
    {
        // a group (wire type 3) sends the payload to the generated parser: resume_from_chunk must survive that path too
        byte[] payload = Segments.Hex("""
            0A 00
            18 09        -- resume_from_chunk = 9
            23 24        -- field 4, start group / end group
            """);
        Assert.False(IncomeDecoder.TryDecodeStreamMessage(payload, out _));

        var message = IncomeDecoder.DecodeStreamMessage(new(payload));

        Assert.Equal(9, message.ResumeFromChunk);
        Assert.Equal(V1.RecognizeIncomeStreamRequest.PayloadOneofCase.Policy, message.PayloadCase);
    }

    public static TheoryData<long, string> ChunkIndexes() => new()
    {
        { 0, "" },                                      // proto3 default: not written
        { 7, "18 07" },
        { 300, "18 AC 02" },
        { 1L << 31, "18 80 80 80 80 08" },              // past int32: a chunk count has no 2^31 limit on the wire
    };

    [Theory]
    [MemberData(nameof(ChunkIndexes))]
    public void StreamResultsReply_ChunkIndex_FollowsResultsAndProvenances(long chunkIndex, string indexBytes)
    {
        var request = new V1.RecognizeIncomeStreamRequest
        {
            Receipts = new V1.ReceiptChunk { Receipts = { new V1.MiningReceipt { Id = "a", Asset = "BTC", Amount = "1" } } },
        };
        var batch = IncomeDecoder.DecodeStreamMessage(IncomeFixture.Bytes(request)).Receipts!;
        var chunk = new IncomeChunk([new IncomeOutcome(new DateOnly(2025, 3, 14), 7274386.93m, 1, null)], [], 1, 0);
        var tail = new V1.IncomeResultChunk { ChunkIndex = chunkIndex, Provenances = { new V1.Provenance { Venue = "okx" } } };

        byte[] actual = IncomeFixture.Encode(IncomeMarshallers.StreamReply, IncomeStreamReply.Results(batch, chunk, tail));

        int indexLength = Segments.Hex(indexBytes).Length;
        byte[] expected = Segments.Hex($"""
            0A {0x30 + indexLength:X2}             -- RecognizeIncomeStreamResponse.results = 1
              0A 27                                --   IncomeResult results = 1, 39 bytes
                0A 01 61                           --     receipt_id "a"
                12 22                              --     income = 2, 34 bytes
                  0A 0A 323032352D30332D3134       --       income_date "2025-03-14"
                  12 03 425443                     --       asset "BTC"
                  1A 01 31                         --       amount "1"
                  22 0A 373237343338362E3933       --       income_rub "7274386.93"
                  30 01                            --       provenance_index 1
              12 05 0A 03 6F6B78                   --   provenances = 2: Provenance with venue "okx"
              {indexBytes}                         --   chunk_index = 3
            """);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
        var reference = new V1.RecognizeIncomeStreamResponse { Results = tail.Clone() };
        reference.Results.Results.Add(new V1.IncomeResult
        {
            ReceiptId = "a",
            Income = new V1.RecognizedIncome { IncomeDate = "2025-03-14", Asset = "BTC", Amount = "1", IncomeRub = "7274386.93", ProvenanceIndex = 1 },
        });
        Assert.Equal(reference.ToByteArray(), actual);
        Assert.Equal(chunkIndex, V1.RecognizeIncomeStreamResponse.Parser.ParseFrom(actual).Results.ChunkIndex);
    }
}
