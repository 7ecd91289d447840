using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Domain.Quotes;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Domain.Tests.Income;

/// <summary>
/// <see cref="IncomeRecognizer.ValueRub"/> (integer fast path for small mantissas) against the rule as written:
/// <c>decimal.Round(amount * close * rate, 2, MidpointRounding.AwayFromZero)</c>, to the bit (scale included),
/// and the same overflow error.
/// </summary>
public class ValueRubTests
{
    private static readonly AssetPair Pair = new("BTC", "USD");

    private static CalcResult<decimal> Reference(decimal amount, decimal close, decimal unitRate)
    {
        try
        {
            return decimal.Round(amount * close * unitRate, 2, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            return CalcError.Invalid(Reasons.InvalidAmount, "amount", "amount x close x rate exceeds the decimal range");
        }
    }

    private static DayPricing Day(decimal close, decimal unitRate) =>
        new(new DailyClose("coinbase", Pair, new DateOnly(2025, 8, 1), close, true), null, unitRate, ConversionMethod.CbrRate);

    private static bool Same(CalcResult<decimal> a, CalcResult<decimal> b) =>
        a.IsSuccess ? b.IsSuccess && decimal.GetBits(a.Value).AsSpan().SequenceEqual(decimal.GetBits(b.Value)) : a.Error == b.Error;

    [Theory]
    [InlineData("0.01", "7000123.5", "1", "70001.24")] // 70001.235 -> up (half away from zero)
    [InlineData("0.01", "7000124.5", "1", "70001.25")] // 70001.245 -> up, where half-to-even would give .24
    [InlineData("0.00012345", "115000.12", "79.7606", "1132.34")]
    [InlineData("2", "3", "1", "6")] // no decimals: the value keeps scale 0
    [InlineData("0.1", "0.1", "1", "0.01")]
    [InlineData("0.00000001", "0.01", "1", "0.00")]
    public void ValueRub_Examples_RoundedToKopecksHalfAwayFromZero(string amount, string close, string rate, string expected)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

        var rub = IncomeRecognizer.ValueRub(D(amount), Day(D(close), D(rate))).Value;

        Assert.Equal(D(expected), rub);
        Assert.Equal(D(expected).Scale, rub.Scale);
        Assert.True(Same(Reference(D(amount), D(close), D(rate)), rub));
    }

    [Fact]
    public void ValueRub_ProductOutOfRange_OverflowError()
    {
        var result = IncomeRecognizer.ValueRub(1_000_000_000m, Day(90_000_000_000_000_000_000m, 90m));

        Assert.False(result.IsSuccess);
        Assert.Equal(Reasons.InvalidAmount, result.Error!.Reason);
        Assert.Equal("amount x close x rate exceeds the decimal range", result.Error.Message);
    }

    [Fact]
    public void ValueRub_GeneratedOperands_SameBitsAsTheRule()
    {
        // mantissas from one digit to the full 96 bits, scales 0..28, both sides of the 64-bit and 28-scale limits
        var small = from m in Gen.Choose(1, int.MaxValue) from s in Gen.Choose(0, 12) select new decimal(m, 0, 0, false, (byte)s);
        var wide = from lo in Gen.Choose(int.MinValue, int.MaxValue) from mid in Gen.Choose(0, int.MaxValue) from s in Gen.Choose(0, 28)
                   select new decimal(lo, mid, 0, false, (byte)s);
        var full = from lo in Gen.Choose(int.MinValue, int.MaxValue) from mid in Gen.Choose(int.MinValue, int.MaxValue) from hi in Gen.Choose(0, 1000)
                   from s in Gen.Choose(0, 28) select new decimal(lo, mid, hi, false, (byte)s);
        var payout = from units in Gen.Choose(1, 99_999_999) select units / 100_000_000m;
        var midpoint = from k in Gen.Choose(1, 1_000_000) from s in Gen.Choose(3, 10) select new decimal((k * 10) + 5, 0, 0, false, (byte)s);
        var signed = from v in Gen.OneOf(small, wide) from negative in Gen.Elements(false, false, false, true) select negative ? -v : v;
        var operand = Gen.Frequency((4, small), (2, wide), (1, full), (2, payout), (2, midpoint), (1, signed), (1, Gen.Elements(0m, 1m, 1.00m, 0.0m)));
        var triples = from a in operand from b in operand from c in operand select (a, b, c);

        Prop.ForAll(triples.ToArbitrary(), t => Same(Reference(t.a, t.b, t.c), IncomeRecognizer.ValueRub(t.a, Day(t.b, t.c))))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(30_000));
    }
}
