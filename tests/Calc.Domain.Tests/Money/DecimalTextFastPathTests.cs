using System.Globalization;
using Calc.Domain.Money;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Domain.Tests.Money;

/// <summary>
/// <see cref="DecimalText.TryParse"/> builds short values itself; it must accept exactly the strict form and
/// give the very decimal (value, sign and scale: the same four 32-bit words) that <see cref="decimal.TryParse(string, NumberStyles, IFormatProvider, out decimal)"/> gives.
/// </summary>
public class DecimalTextFastPathTests
{
    /// <summary>The strict form checked by a regular expression, the value by the BCL: the definition the parser must meet.</summary>
    private static bool Reference(string text, out decimal value)
    {
        value = 0m;
        return text.Length is > 0 and <= DecimalText.MaxLength
            && System.Text.RegularExpressions.Regex.IsMatch(text, "^-?[0-9]+(\\.[0-9]+)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)
            && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    private static bool SameBits(decimal a, decimal b) => decimal.GetBits(a).AsSpan().SequenceEqual(decimal.GetBits(b));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.00", 2)]
    [InlineData("0.00012345", 8)]
    [InlineData("1.50", 2)]
    [InlineData("0001.500", 3)]
    [InlineData("9999999999999999999", 0)]
    [InlineData("0.000000000000000001", 18)]
    [InlineData("1234567890.123456789", 9)]
    public void TryParse_ShortTexts_KeepEveryDigitAndTheScale(string text, int scale)
    {
        Assert.True(DecimalText.TryParse(text, out decimal value));

        Assert.True(Reference(text, out decimal expected));
        Assert.True(SameBits(expected, value), $"{text}: {value} vs {expected}");
        Assert.Equal(scale, value.Scale);
    }

    [Theory]
    [InlineData("-0")]
    [InlineData("-0.00")]
    [InlineData("-1.5")]
    [InlineData("12345678901234567890")]
    [InlineData("0.00000000000000000000000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("1.0000000000000000000000000005")]
    public void TryParse_NegativeOrLongTexts_SameAsTheBcl(string text)
    {
        Assert.Equal(Reference(text, out decimal expected), DecimalText.TryParse(text, out decimal value));

        Assert.True(SameBits(expected, value), $"{text}: {value} vs {expected}");
    }

    [Fact]
    public void TryParse_GeneratedTexts_SameAcceptanceAndBitsAsReference()
    {
        var digits = Gen.Elements("0123456789".ToCharArray());
        var digitRun = from n in Gen.Choose(0, 24) from cs in Gen.ArrayOf(digits, n) select new string(cs);
        var zeros = from n in Gen.Choose(0, 12) select new string('0', n);
        var wellFormed = from sign in Gen.Elements("", "", "", "-")
                         from lead in zeros
                         from intPart in digitRun
                         from dot in Gen.Elements(true, false)
                         from frac in digitRun
                         from trail in zeros
                         select sign + lead + intPart + (dot ? "." + frac + trail : "");
        var noise = from s in wellFormed
                    from at in Gen.Choose(0, 40)
                    from c in Gen.Elements('.', '-', '+', 'e', ' ', ',', '٣', 'x', '\0')
                    select at < s.Length ? s.Insert(at, c.ToString()) : s + c;
        var texts = Gen.Frequency((6, wellFormed), (2, noise), (1, Gen.Elements("", "-", ".", "1.", ".5", "--1", "1..2", "NaN")));

        Prop.ForAll(texts.ToArbitrary(), text =>
        {
            bool expectedOk = Reference(text, out decimal expected);
            bool ok = DecimalText.TryParse(text, out decimal value);
            return ok == expectedOk && SameBits(value, expected);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(50_000));
    }
    [Theory]
    [InlineData(0, 0, 0, false, 0)]
    [InlineData(0, 0, 0, true, 2)]
    [InlineData(0, 0, 0, false, 28)]
    [InlineData(150, 0, 0, true, 2)]
    [InlineData(12, 0, 0, false, 4)]
    [InlineData(5, 0, 0, false, 28)]
    [InlineData(-1, -1, 0, false, 0)]
    [InlineData(-1, -1, 0, true, 28)]
    [InlineData(-1, -1, 0, false, 19)]
    [InlineData(-1, -1, 0, false, 20)]
    [InlineData(1, 0, 1, false, 3)]
    [InlineData(-1, -1, -1, true, 0)]
    public void Format_EdgeValues_SameTextAsTheBcl(int lo, int mid, int hi, bool negative, byte scale)
    {
        var value = new decimal(lo, mid, hi, negative, scale);

        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), DecimalText.Format(value));
    }

    [Fact]
    public void Format_RandomValues_SameTextAsTheBcl()
    {
        // mostly 64-bit mantissas (the written path), some wider ones (the BCL path); every sign and scale
        var random = new Random(20251207);
        for (int i = 0; i < 300_000; i++)
        {
            int hi = random.Next(5) == 0 ? random.Next() : 0;
            int mid = random.Next(3) == 0 ? 0 : random.Next(int.MinValue, int.MaxValue);
            var value = new decimal(random.Next(int.MinValue, int.MaxValue), mid, hi, random.Next(2) == 0, (byte)random.Next(29));
            string expected = value.ToString(CultureInfo.InvariantCulture);
            string actual = DecimalText.Format(value);
            Assert.True(expected == actual, $"{expected} written as {actual}");
        }
    }
}
