using Calc.Domain.Calendar;
using Calc.Domain.Income;
using Calc.Domain.Quotes;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Income;

public class IncomeDateTests
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    [Theory]
    [InlineData("2025-03-15T20:59:59.9999999+00:00", "2025-03-15")]
    [InlineData("2025-03-15T21:00:00+00:00", "2025-03-16")]
    [InlineData("2025-03-16T00:00:00+03:00", "2025-03-16")]
    [InlineData("2025-12-31T21:00:00+00:00", "2026-01-01")]
    [InlineData("2025-12-31T20:59:59+00:00", "2025-12-31")]
    public void Of_MoscowMidnightBoundary_SplitsAtLocalMidnight(string instant, string expected)
    {
        var date = IncomeDate.Of(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), Moscow);

        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
    }

    [Fact]
    public void Of_ZoneWithDaylightSaving_UsesTheOffsetOfThatInstant()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        // summer: UTC+2, 22:00Z is midnight; winter: UTC+1, 22:00Z is 23:00
        Assert.Equal(new DateOnly(2025, 7, 2), IncomeDate.Of(new DateTimeOffset(2025, 7, 1, 22, 0, 0, TimeSpan.Zero), berlin));
        Assert.Equal(new DateOnly(2025, 1, 1), IncomeDate.Of(new DateTimeOffset(2025, 1, 1, 22, 0, 0, TimeSpan.Zero), berlin));
    }

    [Fact]
    public void Aggregate_ReceiptsOverTwoMonths_TotalsPerMonthWithShiftedDueDates()
    {
        // Arrange: August 2025 report due Sat 20.09 -> Mon 22.09
        var policy = new ValuationPolicy(Moscow);
        var aug = new DailyClose("coinbase", new AssetPair("BTC", "USD"), new DateOnly(2025, 8, 31), 100000m, true);
        var sep = new DailyClose("coinbase", new AssetPair("BTC", "USD"), new DateOnly(2025, 9, 1), 110000m, true);
        var rate = new CbrRate("USD", new DateOnly(2025, 8, 30), 1, 80m);
        var incomes = new[]
        {
            IncomeRecognizer.Recognize(new MiningReceipt("a", new DateTimeOffset(2025, 8, 31, 10, 0, 0, TimeSpan.Zero), "BTC", 0.001m), aug, rate, policy).Value,
            IncomeRecognizer.Recognize(new MiningReceipt("b", new DateTimeOffset(2025, 8, 31, 20, 59, 0, TimeSpan.Zero), "BTC", 0.002m), aug, rate, policy).Value,
            IncomeRecognizer.Recognize(new MiningReceipt("c", new DateTimeOffset(2025, 8, 31, 21, 0, 0, TimeSpan.Zero), "BTC", 0.004m), sep, rate, policy).Value,
        };

        // Act
        var totals = MonthlyTotalsBuilder.Aggregate(incomes, TestRules.Embedded.Calendar);

        // Assert: 0.003 x 100 000 x 80 = 24 000.00; 0.004 x 110 000 x 80 = 35 200.00
        Assert.Equal(2, totals.Count);
        Assert.Equal((2025, 8, 0.003m, 24000.00m, 2), (totals[0].Year, totals[0].Month, totals[0].Amount, totals[0].IncomeRub, totals[0].ReceiptCount));
        Assert.Equal(new DateOnly(2025, 9, 20), totals[0].ReportStatutoryDate);
        Assert.Equal(new DateOnly(2025, 9, 22), totals[0].ReportDueDate);
        Assert.Equal((2025, 9, 35200.00m, 1), (totals[1].Year, totals[1].Month, totals[1].IncomeRub, totals[1].ReceiptCount));
        Assert.Equal(new DateOnly(2025, 10, 20), totals[1].ReportDueDate);
    }

    [Fact]
    public void Aggregate_MonthWhoseReportFallsOutsideCalendar_DueDateNullWithError()
    {
        var builder = new MonthlyTotalsBuilder();
        var close = new DailyClose("coinbase", new AssetPair("BTC", "RUB"), new DateOnly(2027, 12, 5), 9000000m, true);
        builder.Add(IncomeRecognizer.Recognize(new MiningReceipt("x", new DateTimeOffset(2027, 12, 5, 9, 0, 0, TimeSpan.Zero), "BTC", 0.01m), close, null, new ValuationPolicy(Moscow)).Value);

        var total = Assert.Single(builder.Build(TestRules.Embedded.Calendar));

        Assert.Null(total.ReportDueDate);
        Assert.Equal(new DateOnly(2028, 1, 20), total.ReportStatutoryDate);
        Assert.Equal("CALENDAR_OUT_OF_RANGE", total.DueDateError!.Reason);
    }

    [Fact]
    public void Recognize_WithSeriesLookup_UsesFridayRateOverTheWeekend()
    {
        // rates set Thu 13.03 (eff. Fri 14.03), Fri 14.03 (eff. Sat 15.03), Mon 17.03 (eff. Tue 18.03)
        var series = new CbrRateSeries("USD", [
            new CbrRate("USD", new DateOnly(2025, 3, 14), 1, 87.0000m),
            new CbrRate("USD", new DateOnly(2025, 3, 15), 1, 86.5000m),
            new CbrRate("USD", new DateOnly(2025, 3, 18), 1, 86.0000m),
        ]);
        var date = IncomeDate.Of(new DateTimeOffset(2025, 3, 17, 6, 0, 0, TimeSpan.Zero), Moscow);
        var close = new DailyClose("coinbase", new AssetPair("BTC", "USD"), date, 84000m, true);

        var income = IncomeRecognizer.Recognize(new MiningReceipt("m", new DateTimeOffset(2025, 3, 17, 6, 0, 0, TimeSpan.Zero), "BTC", 0.05m),
            close, series.InForceOn(date, out _), new ValuationPolicy(Moscow)).Value;

        Assert.Equal(new DateOnly(2025, 3, 15), income.Rate!.EffectiveDate);
        Assert.Equal(363300.00m, income.IncomeRub);
    }
}
