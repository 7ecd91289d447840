using System.Globalization;
using Calc.Domain.Income;
using Calc.Domain.Quotes;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Income;

public class IncomeCaseTests
{
    public static TheoryData<string> Cases => CaseFile.Names("income");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recognize_Case_MatchesExpected(string name)
    {
        // Arrange
        var c = CaseFile.Load("income", name);
        var r = c.Input.GetProperty("receipt");
        var cl = c.Input.GetProperty("close");
        var pair = cl.Str("pair").Split('/');
        var close = new DailyClose(cl.Str("venue"), new AssetPair(pair[0], pair[1]), cl.Date("date"), cl.Dec("close"), cl.GetProperty("is_final").GetBoolean());
        CbrRate? rate = c.Input.TryGetProperty("rate", out var re)
            ? new CbrRate(re.Str("currency"), re.Date("effective_date"), re.Int("nominal"), re.Dec("value"))
            : null;
        var p = c.Input.TryGetProperty("policy", out var pe) ? pe : default;
        var policy = new ValuationPolicy(
            TimeZoneInfo.FindSystemTimeZoneById(p.ValueKind == System.Text.Json.JsonValueKind.Object ? p.Str("time_zone", IncomeDate.DefaultZoneId) : IncomeDate.DefaultZoneId),
            p.ValueKind == System.Text.Json.JsonValueKind.Object && p.Str("usdt") == "TREAT_AS_USD" ? UsdtPolicy.TreatAsUsd : UsdtPolicy.Reject,
            p.ValueKind == System.Text.Json.JsonValueKind.Object && p.TryGetProperty("allow_provisional", out var ap) && ap.GetBoolean());
        var receipt = new MiningReceipt(r.Str("id"), DateTimeOffset.Parse(r.Str("received_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), r.Str("asset"), r.Dec("amount"));

        // Act
        var result = IncomeRecognizer.Recognize(receipt, close, rate, policy);

        // Assert
        if (c.Expected.TryGetProperty("error", out _))
        {
            CaseAssert.Error(c.Expected, result.Error, name);
            return;
        }

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        var v = result.Value;
        CaseAssert.Fields(c.Expected, new Dictionary<string, object?>
        {
            ["income_date"] = v.IncomeDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["income_rub"] = v.IncomeRub,
            ["conversion"] = v.Conversion.ToString(),
            ["is_final"] = v.IsFinal,
            ["cbr_effective_date"] = v.Rate?.EffectiveDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["cbr_rate"] = v.Rate?.Value,
        }, name);
        Assert.Equal(r.Str("id"), v.ReceiptId);
        Assert.Same(close, v.Close);
    }
}
