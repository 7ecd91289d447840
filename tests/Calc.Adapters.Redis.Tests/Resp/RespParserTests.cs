using System.Text;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Tests.Resp;

/// <summary>
/// Byte tables of RESP2 and RESP3 replies (redis.io "RESP protocol spec"). Every payload is replayed whole,
/// split at every offset, and one byte per segment, and must give exactly the expected replies.
/// </summary>
public sealed class RespParserTests
{
    /// <summary>wire bytes (C-style escapes) → expected rendering.</summary>
    public static TheoryData<string, string> ValidReplies => new()
    {
        // RESP2
        { "+OK\r\n", "+OK" },
        { "+\r\n", "+" },
        { "-ERR unknown command 'FOO'\r\n", "-ERR unknown command 'FOO'" },
        { "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "-WRONGPASS invalid username-password pair or user is disabled." },
        { ":0\r\n", ":0" },
        { ":-42\r\n", ":-42" },
        { ":+7\r\n", ":7" },
        { ":9223372036854775807\r\n", ":9223372036854775807" },
        { ":-9223372036854775808\r\n", ":-9223372036854775808" },
        { "$5\r\nhello\r\n", "$hello" },
        { "$0\r\n\r\n", "$" },
        { "$-1\r\n", "null" },
        { "$4\r\na\r\nb\r\n", "$a\r\nb" },                 // a bulk string may contain CRLF
        { "$8\r\n92.2628\n\r\n", "$92.2628\n" },
        { "$11\r\n2024-03-30|\r\n", "$2024-03-30|" },
        { "*0\r\n", "[]" },
        { "*-1\r\n", "null" },
        { "*3\r\n$3\r\nfoo\r\n$-1\r\n:5\r\n", "[$foo null :5]" },
        { "*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n+x\r\n", "[[:1 :2] [+x]]" },
        { "*2\r\n$1\r\n0\r\n*2\r\n$3\r\nk:1\r\n$3\r\nk:2\r\n", "[$0 [$k:1 $k:2]]" }, // SCAN
        // RESP3
        { "_\r\n", "null" },
        { "#t\r\n", "#t" },
        { "#f\r\n", "#f" },
        { ",3.25\r\n", ",3.25" },
        { ",-1e-3\r\n", ",-0.001" },
        { ",inf\r\n", ",Infinity" },
        { ",-inf\r\n", ",-Infinity" },
        { ",nan\r\n", ",NaN" },
        { "(3492890328409238509324850943850943825024385\r\n", "(3492890328409238509324850943850943825024385" },
        { "!21\r\nSYNTAX invalid syntax\r\n", "-SYNTAX invalid syntax" },
        { "=15\r\ntxt:Some string\r\n", "=Some string" },
        { "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "%[+first :1 +second :2]" },
        { "~3\r\n+a\r\n+b\r\n+c\r\n", "~[+a +b +c]" },
        { ">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n", ">[+message +ch $hi]" },
        { "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n", "[:2039123 :9543892]" },
        { "%1\r\n$5\r\nproto\r\n:3\r\n", "%[$proto :3]" },
        { "*3\r\n_\r\n#t\r\n%0\r\n", "[null #t %[]]" },
    };

    /// <summary>Inputs that are not RESP: every one must raise a protocol error, never a value.</summary>
    public static TheoryData<string, string> MalformedReplies => new()
    {
        { "?what\r\n", "unknown type byte" },
        { "+OK\rX", "CR not followed by LF" },
        { "+OK\n", "bare LF" },
        { ":12a\r\n", "malformed integer" },
        { ":\r\n", "malformed integer" },
        { ":-\r\n", "malformed integer" },
        { ": 1\r\n", "malformed integer" },
        { ":99999999999999999999\r\n", "malformed integer" },
        { "$-2\r\n", "out of range" },
        { "$3\r\nabcde\r\n", "blob not terminated by CRLF" },
        { "$536870913\r\n", "out of range" },
        { "*-5\r\n", "out of range" },
        { "*1\r\n$3\r\nab\r\n\r\n", "blob not terminated by CRLF" },
        { "_x\r\n", "null with a payload" },
        { "#x\r\n", "boolean is not t or f" },
        { ",1.5x\r\n", "malformed double" },
        { ",\r\n", "malformed double" },
        { "(12a\r\n", "malformed big number" },
        { "=3\r\ntxt\r\n", "verbatim string without a format prefix" },
        { "%-1\r\n", "out of range" },
        { "$?\r\n;4\r\nHell\r\n;0\r\n", "streamed" },
        { "*1\r\n?\r\n", "unknown type byte" },
    };

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void TryParse_ValidReplyInAnySegmentation_YieldsExactlyThatReply(string wire, string expected)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(wire);

        foreach (var (shape, segments) in RespRender.Splits(bytes))
        {
            // Act
            var replies = RespRender.Feed(segments, out int leftover);

            // Assert
            Assert.True(replies.Count == 1 && replies[0] == expected && leftover == 0,
                $"{shape}: got [{string.Join(" | ", replies)}], leftover {leftover}");
        }
    }

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void TryParse_EveryStrictPrefix_IsIncompleteAndConsumesNothing(string wire, string expected)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(wire);
        Assert.NotEmpty(expected);

        for (int n = 0; n < bytes.Length; n++)
        {
            // Act
            bool complete = RespParser.TryParse(bytes.AsSpan(0, n), out _, out int consumed);

            // Assert
            Assert.False(complete, "prefix of " + n + " bytes parsed as complete");
            Assert.Equal(0, consumed);
        }
    }

    [Fact]
    public void TryParse_ManyRepliesPackedInOneRead_YieldsAllInOrder()
    {
        // Arrange: what one read returns for a pipelined SET, GET, MGET, GET(miss), error, HELLO map
        var wire = "+OK\r\n$7\r\n92.2628\r\n*3\r\n$1\r\na\r\n$-1\r\n_\r\n$-1\r\n-ERR wrong\r\n%1\r\n+proto\r\n:3\r\n:17\r\n";
        var expected = new[] { "+OK", "$92.2628", "[$a null null]", "null", "-ERR wrong", "%[+proto :3]", ":17" };

        foreach (var (shape, segments) in RespRender.Splits(Encoding.UTF8.GetBytes(wire)))
        {
            // Act
            var replies = RespRender.Feed(segments, out int leftover);

            // Assert
            Assert.True(expected.SequenceEqual(replies) && leftover == 0, shape + ": " + string.Join(" | ", replies));
        }
    }

    [Theory]
    [MemberData(nameof(MalformedReplies))]
    public void TryParse_MalformedInputInAnySegmentation_ThrowsProtocolErrorAndNeverYieldsAValue(string wire, string reason)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(wire);

        foreach (var (shape, segments) in RespRender.Splits(bytes))
        {
            // Act
            var error = Record.Exception(() => RespRender.Feed(segments, out _));

            // Assert
            var protocolError = Assert.IsType<RespProtocolException>(error);
            Assert.True(protocolError.Message.Contains(reason, StringComparison.Ordinal), shape + ": " + protocolError.Message);
        }
    }

    [Fact]
    public void TryParse_HeaderLineWithoutCrlfBeyondLimit_ThrowsInsteadOfBufferingForever()
    {
        // Arrange
        var bytes = new byte[RespParser.MaxLineLength + 2];
        bytes.AsSpan().Fill((byte)'7');
        bytes[0] = (byte)':';

        // Act
        var error = Record.Exception(() => RespParser.TryParse(bytes, out _, out _));

        // Assert
        Assert.IsType<RespProtocolException>(error);
    }

    [Fact]
    public void TryParse_NestingBeyondLimit_Throws()
    {
        // Arrange
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", RespParser.MaxDepth + 2)) + ":1\r\n";

        // Act
        var error = Record.Exception(() => RespParser.TryParse(Encoding.ASCII.GetBytes(wire), out _, out _));

        // Assert
        Assert.IsType<RespProtocolException>(error);
    }

    [Fact]
    public void TryParse_HugeAggregateHeader_WaitsForDataInsteadOfAllocating()
    {
        // Arrange: a header announcing 16M elements followed by one element
        var bytes = Encoding.ASCII.GetBytes("*16777216\r\n:1\r\n");
        long before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        bool complete = RespParser.TryParse(bytes, out _, out int consumed);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.False(complete);
        Assert.Equal(0, consumed);
        Assert.True(allocated < 10_000, "allocated " + allocated + " bytes");
    }

    [Fact]
    public void TryParse_LineOverTheLimitWithItsCrlf_RejectedHoweverTheBytesArrive()
    {
        // Arrange: a simple string one byte over the limit, CRLF included, and one exactly at the limit. Before the fix
        // the first was accepted when its CRLF came in the same read and rejected when a read ended inside it.
        var tooLong = Encoding.ASCII.GetBytes("+" + new string('x', RespParser.MaxLineLength + 1) + "\r\n");
        var atLimit = Encoding.ASCII.GetBytes("+" + new string('x', RespParser.MaxLineLength) + "\r\n");
        int[] cuts = [RespParser.MaxLineLength / 2, RespParser.MaxLineLength + 1, RespParser.MaxLineLength + 2, RespParser.MaxLineLength + 3];

        foreach (int cut in cuts.Append(tooLong.Length))
        {
            // Act
            var error = Record.Exception(() => RespRender.Feed([tooLong[..cut], tooLong[cut..]], out _));

            // Assert
            var protocolError = Assert.IsType<RespProtocolException>(error);
            Assert.Contains("line longer than", protocolError.Message, StringComparison.Ordinal);
        }

        foreach (int cut in cuts.Append(atLimit.Length))
        {
            // Act
            var replies = RespRender.Feed([atLimit[..cut], atLimit[cut..]], out int leftover);

            // Assert
            Assert.Equal("+" + new string('x', RespParser.MaxLineLength), Assert.Single(replies));
            Assert.Equal(0, leftover);
        }
    }

    [Fact]
    public void TryParse_NestedLargeAggregatesOverTheSameBytes_WaitsForDataInsteadOfAllocatingEveryLevel()
    {
        // Arrange: 20 nested headers of 10 000 elements, then 10 000 nulls (30 kB): enough bytes for any one level,
        // not for all; allocating every level's array, as the parser did, took 20 × 240 kB
        var wire = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*10000\r\n", 20)) + string.Concat(Enumerable.Repeat("_\r\n", 10_000)));
        long before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        bool complete = RespParser.TryParse(wire, out _, out int consumed);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.False(complete);
        Assert.Equal(0, consumed);
        Assert.True(allocated < 16L * wire.Length, "allocated " + allocated + " bytes for " + wire.Length + " received");
    }

    [Fact]
    public void TryParse_NestedAggregatesOnceAllBytesArrived_Complete()
    {
        // Arrange: 3 levels of 300 elements (the innermost level's 300 arrays hold 300 nulls each): the element
        // budget must not refuse a reply that has fully arrived
        string leaf = "*300\r\n" + string.Concat(Enumerable.Repeat("_\r\n", 300));
        string middle = "*300\r\n" + string.Concat(Enumerable.Repeat(leaf, 300));
        var wire = Encoding.ASCII.GetBytes("*2\r\n" + middle + ":7\r\n");

        // Act
        bool complete = RespParser.TryParse(wire, out var value, out int consumed);

        // Assert
        Assert.True(complete);
        Assert.Equal(wire.Length, consumed);
        Assert.Equal(300, value.Items[0].Items.Length);
        Assert.All(value.Items[0].Items, a => Assert.Equal(300, a.Items.Length));
        Assert.Equal(7, value.Items[1].IntegerValue);
    }

    [Fact]
    public void TryParse_LargeBulkSplitInChunks_ReassemblesExactBytes()
    {
        // Arrange: 200 kB value (larger than one 64 kB read)
        var payload = new byte[200_000];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        var wire = Encoding.ASCII.GetBytes("$200000\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
        var segments = wire.Chunk(65_536).ToArray();

        // Act
        var replies = RespRender.Feed(segments, out int leftover);

        // Assert
        Assert.Single(replies);
        Assert.Equal("$" + Encoding.ASCII.GetString(payload), replies[0]);
        Assert.Equal(0, leftover);
    }
}
