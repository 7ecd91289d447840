using System.Text;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Tests.Resp;

public sealed class RespWriterTests
{
    [Fact]
    public void WriteCommand_TextBytesAndIntegers_EncodesArrayOfBulkStrings()
    {
        // Arrange
        var writer = new RespWriter(8);

        // Act
        writer.WriteCommand(["SET", "calc:v1:cbr:{USD}:2024-03-31", "2024-03-30|1|92.3660", "EX", 34_560_000L]);
        writer.WriteCommand(["GET", Encoding.UTF8.GetBytes("ключ")]);
        writer.WriteCommand(["INCRBY", "n", -12L]);

        // Assert
        Assert.Equal(
            "*5\r\n$3\r\nSET\r\n$28\r\ncalc:v1:cbr:{USD}:2024-03-31\r\n$20\r\n2024-03-30|1|92.3660\r\n$2\r\nEX\r\n$8\r\n34560000\r\n"
            + "*2\r\n$3\r\nGET\r\n$8\r\nключ\r\n"
            + "*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$3\r\n-12\r\n",
            Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void WriteCommand_EmptyValue_EncodesZeroLengthBulk()
    {
        // Arrange
        var writer = new RespWriter();

        // Act
        writer.WriteCommand(["SET", "k", ""]);

        // Assert
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void WriteCommand_OutputParsedBack_GivesTheSameArguments()
    {
        // Arrange: a command is itself a valid RESP array
        var writer = new RespWriter();
        writer.WriteCommand(["MGET", "a", "b\r\nc", long.MinValue]);

        // Act
        bool complete = RespParser.TryParse(writer.WrittenSpan, out var value, out int consumed);

        // Assert
        Assert.True(complete);
        Assert.Equal(writer.Length, consumed);
        Assert.Equal("[$MGET $a $b\r\nc $-9223372036854775808]", RespRender.Render(value));
    }
}
