using Calc.Application.Validation;
using Calc.Domain.Errors;

namespace Calc.Application.Tests.Validation;

public sealed class InputsTests
{
    [Theory]
    [InlineData("0.00012345", "0.00012345")]
    [InlineData("9000000.00", "9000000.00")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("0", "0")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    public void Decimal_InvariantText_Parses(string text, string expected)
    {
        var error = Inputs.Decimal(text, "amount", out var value);

        Assert.Null(error);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1e3")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("NaN")]
    [InlineData("+1")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1_000")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    [InlineData("١")] // Arabic-Indic digit one
    [InlineData("79228162514264337593543950336")] // one above decimal.MaxValue
    public void Decimal_NonInvariantText_IsInvalidDecimalNamingTheField(string text)
    {
        var error = Inputs.Decimal(text, "receipts[3].amount", out _);

        Assert.NotNull(error);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(Reasons.InvalidDecimal, error.Reason);
        Assert.Equal("receipts[3].amount", error.Field);
    }

    [Fact]
    public void Decimal_Empty_IsMissingField()
    {
        var error = Inputs.Decimal("", "amount", out _);

        Assert.Equal(Reasons.MissingField, error?.Reason);
    }

    [Fact]
    public void OptionalDecimal_Empty_TakesTheDefault()
    {
        var error = Inputs.OptionalDecimal("", "withheld_rub", 0m, out var value);

        Assert.Null(error);
        Assert.Equal(0m, value);
    }

    [Theory]
    [InlineData("2025-01-05", true)]
    [InlineData("2024-02-29", true)]
    [InlineData("2025-02-29", false)]
    [InlineData("2025-1-5", false)]
    [InlineData("05.01.2025", false)]
    [InlineData("2025-01-05T00:00:00", false)]
    [InlineData("20250105", false)]
    public void Date_OnlyIsoCalendarDays(string text, bool ok)
    {
        var error = Inputs.Date(text, "date", out var date);

        Assert.Equal(ok, error is null);
        if (ok)
        {
            Assert.Equal(DateOnly.ParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), date);
        }
        else
        {
            Assert.Equal(Reasons.InvalidDate, error!.Reason);
        }
    }

    [Theory]
    [InlineData("USD", null)]
    [InlineData("usd", Reasons.InvalidCurrency)]
    [InlineData("US", Reasons.InvalidCurrency)]
    [InlineData("USDT", Reasons.InvalidCurrency)]
    [InlineData("", Reasons.MissingField)]
    public void Currency_ThreeUpperCaseLetters(string text, string? reason) =>
        Assert.Equal(reason, Inputs.Currency(text, "currency")?.Reason);

    [Theory]
    [InlineData("BTC", null)]
    [InlineData("USDT", null)]
    [InlineData("1INCH", null)]
    [InlineData("btc", Reasons.UnknownAsset)]
    [InlineData("B", Reasons.UnknownAsset)]
    [InlineData("BTC-USD", Reasons.UnknownAsset)]
    public void AssetCode_UpperCaseLettersAndDigits(string text, string? reason) =>
        Assert.Equal(reason, Inputs.AssetCode(text, "asset")?.Reason);

    [Theory]
    [InlineData(0, 10, Reasons.EmptyBatch)]
    [InlineData(11, 10, Reasons.TooManyItems)]
    [InlineData(10, 10, null)]
    public void BatchSize_EmptyOrOverLimit_FailsTheCall(int count, int limit, string? reason) =>
        Assert.Equal(reason, Inputs.BatchSize(count, limit, "receipts")?.Reason);

    [Fact]
    public void Decimal_LongGarbage_IsEchoedTruncated()
    {
        string text = new('x', 500);

        var error = Inputs.Decimal(text, "amount", out _);

        Assert.NotNull(error);
        Assert.True(error.Message.Length < 200, error.Message);
    }
}
