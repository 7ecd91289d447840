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
}
