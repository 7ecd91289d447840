using Calc.Transport.Grpc.Protocol;

namespace Calc.Transport.Grpc.Tests.Protocol;

public sealed class TimeoutHeaderTests
{
    public static TheoryData<string, long> Valid => new()
    {
        { "1H", TimeSpan.TicksPerHour },
        { "5M", 5 * TimeSpan.TicksPerMinute },
        { "30S", 30 * TimeSpan.TicksPerSecond },
        { "100m", 100 * TimeSpan.TicksPerMillisecond },
        { "250u", 2_500 },
        { "1n", 1 },            // rounded up to one 100 ns tick, never zero
        { "100n", 1 },
        { "101n", 2 },
        { "0m", 0 },
        { "99999999S", 99_999_999 * TimeSpan.TicksPerSecond },
        { "00000001m", TimeSpan.TicksPerMillisecond },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_ValidValue_ReturnsTicks(string header, long ticks)
    {
        // Act
        var ok = TimeoutHeader.TryParse(header, out var timeout);

        // Assert
        Assert.True(ok);
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("123456789S")]   // nine digits
    [InlineData("10s")]          // 's' is not a unit
    [InlineData("10h")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData("1S ")]
    [InlineData("１S")]          // full-width digit
    public void TryParse_InvalidValue_ReturnsFalse(string header)
    {
        Assert.False(TimeoutHeader.TryParse(header, out _));
    }

    [Fact]
    public void TryParse_SplitAtEveryOffsetOfAValidValue_OnlyWholeValueParses()
    {
        // a timeout header is one value; every proper prefix must be rejected or parse to a different value
        const string header = "12345678m";
        for (var i = 1; i < header.Length; i++)
        {
            var prefix = header[..i];
            var ok = TimeoutHeader.TryParse(prefix, out _);
            Assert.False(ok && prefix.EndsWith('m'), prefix);
        }
    }
}
