using System.Globalization;
using Calc.Domain.Dates;

namespace Calc.Domain.Tests.Dates;

/// <summary>IsoDate reads and writes digit by digit; these compare it with the framework's exact-format parser and formatter.</summary>
public class IsoDateTests
{
    [Fact]
    public void ToTextAndTryParse_EveryDayOfTheCalendar_MatchTheFrameworkAndRoundTrip()
    {
        int mismatches = 0;
        string? first = null;
        for (var day = DateOnly.MinValue; ; day = day.AddDays(1))
        {
            string text = IsoDate.ToText(day);
            bool same = text == day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                && IsoDate.TryParse(text, out var back) && back == day;
            if (!same)
            {
                mismatches++;
                first ??= text;
            }

            if (day == DateOnly.MaxValue)
            {
                break;
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} days differ, first {first}");
    }

    [Theory]
    [InlineData("2024-02-29", true)]
    [InlineData("2025-02-29", false)]
    [InlineData("1900-02-29", false)]
    [InlineData("2000-02-29", true)]
    [InlineData("0000-01-01", false)]
    [InlineData("0001-01-01", true)]
    [InlineData("9999-12-31", true)]
    [InlineData("2025-13-01", false)]
    [InlineData("2025-00-10", false)]
    [InlineData("2025-04-31", false)]
    [InlineData("2025-04-00", false)]
    [InlineData("15.03.2025", false)]
    [InlineData("2025-3-015", false)]
    [InlineData("2025/03/15", false)]
    [InlineData(" 2025-03-1", false)]
    [InlineData("2025-03-1 ", false)]
    [InlineData("+025-03-15", false)]
    [InlineData("2025-03-١٥", false)]
    [InlineData("２０２５-03-15", false)]
    [InlineData("2025-03-15T00:00:00", false)]
    [InlineData("", false)]
    public void TryParse_EdgeCases_AgreeWithTheFrameworksExactParse(string text, bool valid)
    {
        bool framework = text.Length == 10
            && DateOnly.TryParseExact(text, IsoDate.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

        Assert.Equal(valid, IsoDate.TryParse(text, out _));
        Assert.Equal(framework, IsoDate.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_RandomTenCharacterStrings_AgreeWithTheFrameworksExactParse()
    {
        // digits, separators and look-alikes in every position; a fixed seed keeps a failure reproducible
        const string alphabet = "0123456789-- +/.T٣３";
        var random = new Random(20251207);
        Span<char> buffer = stackalloc char[10];
        int checkedValid = 0;
        for (int i = 0; i < 200_000; i++)
        {
            for (int j = 0; j < 10; j++)
            {
                // mostly digits (so real dates occur), sometimes a separator or a look-alike anywhere
                buffer[j] = random.Next(10) > 0 ? (j is 4 or 7 ? '-' : (char)('0' + random.Next(10))) : alphabet[random.Next(alphabet.Length)];
            }

            string text = new(buffer);
            bool framework = DateOnly.TryParseExact(text, IsoDate.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expected);
            bool ours = IsoDate.TryParse(text, out var actual);
            Assert.True(framework == ours && expected == actual, $"'{text}': framework {framework} {expected}, IsoDate {ours} {actual}");
            checkedValid += ours ? 1 : 0;
        }

        // the generator must reach real dates too, or the agreement says nothing about accepted input
        Assert.True(checkedValid > 1_000, $"only {checkedValid} valid dates generated");
    }
}
