using System.Buffers;
using Calc.Transport.Grpc.Protocol;
using Calc.Transport.Grpc.Tests.Infrastructure;

namespace Calc.Transport.Grpc.Tests.Protocol;

public sealed class MessageFramingTests
{
    private const int Limit = 1024 * 1024;

    /// <summary>Annotated wire bytes → the messages they hold (flag:payload-hex).</summary>
    public static TheoryData<string, string[]> Valid => new()
    {
        { "00 | 00000000 |                  -- one empty message", ["0:"] },
        { "00 | 00000003 | 0A0178           -- field 1 = \"x\"", ["0:0A0178"] },
        { "01 | 00000002 | ABCD             -- compressed flag set", ["1:ABCD"] },
        { "00 | 00000001 | 08 | 00 | 00000002 | 0801  -- two messages in one read", ["0:08", "0:0801"] },
        { "00 | 00000000 | 00 | 00000000 | 00 | 00000001 | 2A  -- three, two empty", ["0:", "0:", "0:2A"] },
        { "00 | 00000105 | " + new string('7', 0x105 * 2) + " -- length needs two bytes", ["0:" + new string('7', 0x105 * 2)] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryRead_AnySegmentation_YieldsTheSameMessages(string wire, string[] expected)
    {
        // Arrange
        var bytes = Segments.Hex(wire);

        foreach (var (plan, chunks) in Segments.Plans(bytes))
        {
            // Act
            var messages = ReadAll(chunks, out var leftover);

            // Assert
            Assert.True(expected.SequenceEqual(messages), $"{plan}: got [{string.Join(", ", messages)}]");
            Assert.True(leftover == 0, $"{plan}: {leftover} bytes left over");
        }
    }

    public static TheoryData<string, int, StatusCode, string> Invalid => new()
    {
        { "02 | 00000000                -- flag must be 0 or 1", Limit, StatusCode.Internal, "invalid compressed flag" },
        { "FF | 00000001 | 00", Limit, StatusCode.Internal, "invalid compressed flag" },
        { "00 | 00100001                -- 1 MiB + 1, header alone is enough", Limit, StatusCode.ResourceExhausted,
            "received message of 1048577 bytes exceeds the receive limit of 1048576 bytes (Grpc:MaxReceiveMessageSize)" },
        { "00 | FFFFFFFF", Limit, StatusCode.ResourceExhausted, "received message of 4294967295 bytes" },
        { "00 | 00000011 | " + new string('0', 34), 16, StatusCode.ResourceExhausted,
            "received message of 17 bytes exceeds the receive limit of 16 bytes" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void TryRead_BadHeader_ThrowsStatusAsSoonAsTheHeaderIsComplete(string wire, int limit, StatusCode code, string message)
    {
        // Arrange
        var bytes = Segments.Hex(wire);

        foreach (var (plan, chunks) in Segments.Plans(bytes))
        {
            // Act
            var error = Assert.Throws<RpcException>(() => ReadAll(chunks, out _, limit));

            // Assert
            Assert.True(code == error.StatusCode, plan);
            Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryRead_IncompleteMessage_LeavesTheBufferUntouched()
    {
        // Arrange: header announces 3 bytes, only 2 arrived
        var buffer = new ReadOnlySequence<byte>(Segments.Hex("00 00000003 0A01"));

        // Act
        var complete = MessageFraming.TryRead(ref buffer, Limit, out _, out _);

        // Assert
        Assert.False(complete);
        Assert.Equal(7, buffer.Length);
    }

    [Fact]
    public void WriteHeader_LengthAndFlag_BigEndian()
    {
        // Arrange
        var header = new byte[5];

        // Act
        MessageFraming.WriteHeader(header, compressed: true, 0x01020304);

        // Assert
        Assert.Equal(Segments.Hex("01 01020304"), header);
    }

    /// <summary>Feeds chunks as a pipe would: the unconsumed rest plus each new chunk, reading all whole messages.</summary>
    private static List<string> ReadAll(byte[][] chunks, out long leftover, int limit = Limit)
    {
        var messages = new List<string>();
        var pending = new List<byte[]>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = Segments.Sequence(pending);
            while (MessageFraming.TryRead(ref buffer, limit, out var compressed, out var payload))
            {
                messages.Add((compressed ? "1:" : "0:") + Convert.ToHexString(payload.ToArray()));
            }

            pending = buffer.IsEmpty ? [] : [buffer.ToArray()];
        }

        leftover = pending.Sum(p => p.Length);
        return messages;
    }
}
