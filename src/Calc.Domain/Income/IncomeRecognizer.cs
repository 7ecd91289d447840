using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Quotes;

namespace Calc.Domain.Income;

/// <summary>
/// The amount-independent part of valuing receipts of one asset on one income date: the close and rate that
/// passed every check, and the roubles per unit of the close's quote currency. Shared by every receipt of
/// that (asset, day), so a batch checks each distinct day once.
/// </summary>
public readonly record struct DayPricing(DailyClose Close, CbrRate? Rate, decimal UnitRate, ConversionMethod Conversion);

/// <summary>
/// Values one mining receipt (tax-rules §6): instant → income date in the policy's zone → the venue's close
/// for that trading day → the CBR rate in force that day → RUB to kopecks. A bad receipt yields a
/// <see cref="CalcError"/>, never an exception. Hot path: no allocation on success.
/// </summary>
/// <remarks>
/// <see cref="Recognize"/> is the whole rule for one receipt. A batch may split it — <see cref="CheckAmount"/>
/// per receipt, <see cref="PriceDay"/> once per (asset, income date), <see cref="ValueRub"/> per receipt — and
/// gets the same results and the same errors in the same order of precedence.
/// </remarks>
public static class IncomeRecognizer
{
    /// <summary>Receipts above this many units are rejected before any multiplication can overflow.</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    /// <param name="receipt">The receipt.</param>
    /// <param name="close">The chosen venue's close for the receipt's income date.</param>
    /// <param name="rate">The CBR rate in force on the income date (null when the close is in RUB).</param>
    /// <param name="policy">Zone, USDT policy, provisional values.</param>
    public static CalcResult<RecognizedIncome> Recognize(in MiningReceipt receipt, DailyClose close, CbrRate? rate, ValuationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(close);
        ArgumentNullException.ThrowIfNull(policy);
        if (string.IsNullOrEmpty(receipt.Asset))
        {
            return CalcError.Invalid(Reasons.MissingField, "asset", "asset is required");
        }

        if (CheckAmount(receipt.Amount) is { } amountError)
        {
            return amountError;
        }

        var date = IncomeDate.Of(receipt.ReceivedAt, policy.Zone);
        if (!PriceDay(receipt.Asset, date, close, rate, policy).TryGetValue(out var day, out var dayError))
        {
            return dayError!;
        }

        if (!ValueRub(receipt.Amount, day).TryGetValue(out decimal rub, out var valueError))
        {
            return valueError!;
        }

        return new RecognizedIncome(receipt.Id, date, receipt.Asset, receipt.Amount, rub, day.Close, day.Rate, day.Conversion, day.Close.IsFinal);
    }

    /// <summary>The amount's range check (first after the asset's presence): null when 0 &lt; amount ≤ <see cref="MaxAmount"/>.</summary>
    public static CalcError? CheckAmount(decimal amount) =>
        decimal.Sign(amount) <= 0 || IsAboveMaxAmount(amount)
            ? CalcError.Invalid(Reasons.InvalidAmount, "amount", $"amount must be > 0 and <= {MaxAmount}")
            : null;

    /// <summary><c>amount &gt; MaxAmount</c> for a positive amount, without a decimal comparison when the mantissa allows.</summary>
    private static bool IsAboveMaxAmount(decimal amount)
    {
        // exact: amount = m / 10^s > 10^9  <=>  m > 10^9 * 10^s, which fits 64 bits up to s = 10
        if (TryMantissa(amount, out ulong mantissa, out int scale) && scale <= 10)
        {
            return mantissa > 1_000_000_000UL * PowersOfTen[scale];
        }

        return amount > MaxAmount;
    }

    /// <summary>
    /// The checks of the close and rate for receipts of <paramref name="asset"/> whose income date is
    /// <paramref name="date"/>: pair, trading day, positive close, finality, conversion and the rate in force.
    /// </summary>
    public static CalcResult<DayPricing> PriceDay(string asset, DateOnly date, DailyClose close, CbrRate? rate, ValuationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(close);
        ArgumentNullException.ThrowIfNull(policy);
        if (!string.Equals(close.Pair.Base, asset, StringComparison.Ordinal))
        {
            return CalcError.Invalid(Reasons.PairMismatch, "asset", $"close is for {close.Pair}, receipt is {asset}");
        }

        if (close.Date != date)
        {
            return CalcError.Invalid(Reasons.CloseDateMismatch, "received_at",
                $"income date is {date:yyyy-MM-dd} in {policy.Zone.Id}; the close given is for {close.Date:yyyy-MM-dd}");
        }

        if (close.Close <= 0m)
        {
            return CalcError.Invalid(Reasons.InvalidAmount, "close", "close must be positive");
        }

        if (!close.IsFinal && !policy.AllowProvisional)
        {
            return CalcError.Precondition(Reasons.PriceNotFinal,
                $"the {close.Venue} {close.Pair} close for {date:yyyy-MM-dd} is not final yet", "received_at");
        }

        var conversion = ConversionMethod.CbrRate;
        string quote = close.Pair.Quote;
        if (quote == "RUB")
        {
            conversion = ConversionMethod.None;
            rate = null;
        }
        else if (quote == "USDT")
        {
            if (policy.Usdt != UsdtPolicy.TreatAsUsd)
            {
                return CalcError.Precondition(Reasons.UsdtNotConvertible,
                    "USDT has no CBR official rate; use a USD/EUR/RUB close or the TREAT_AS_USD policy (tax-rules R2.9)", "policy.quote_currency");
            }

            conversion = ConversionMethod.UsdtAsUsd;
            quote = "USD";
        }

        if (conversion != ConversionMethod.None)
        {
            if (rate is null)
            {
                return CalcError.NotFound(Reasons.RateNotFound, $"no CBR {quote} rate given for {date:yyyy-MM-dd}", "received_at");
            }

            if (!string.Equals(rate.Currency, quote, StringComparison.Ordinal))
            {
                return CalcError.Invalid(Reasons.RateCurrencyMismatch, "rate", $"the close needs a CBR {quote} rate, got {rate.Currency}");
            }

            if (rate.EffectiveDate > date || rate.Value <= 0m || rate.Nominal <= 0)
            {
                return CalcError.NotFound(Reasons.RateNotFound,
                    $"the CBR {quote} rate effective {rate.EffectiveDate:yyyy-MM-dd} is not in force on {date:yyyy-MM-dd}", "received_at");
            }
        }

        return new DayPricing(close, rate, rate?.UnitRate ?? 1m, conversion);
    }

    /// <summary>round2(amount × close × unit rate), kopecks half away from zero (R2.11), or the overflow error.</summary>
    public static CalcResult<decimal> ValueRub(decimal amount, in DayPricing day)
    {
        if (TryExactKopecks(amount, day.Close.Close, day.UnitRate, out decimal rub))
        {
            return rub;
        }

        try
        {
            return Rounding.Kopecks(amount * day.Close.Close * day.UnitRate);
        }
        catch (OverflowException)
        {
            return CalcError.Invalid(Reasons.InvalidAmount, "amount", "amount x close x rate exceeds the decimal range");
        }
    }

    /// <summary>
    /// <c>Rounding.Kopecks(a * b * c)</c> in integer arithmetic for the usual case: three positive values whose
    /// mantissas multiply within 64 bits and whose scales sum to at most 28. Decimal multiplication is exact
    /// then (the product's mantissa is the integer product, its scale the sum), so rounding that integer to two
    /// decimals half away from zero gives the same decimal, scale included. False when the case does not apply.
    /// </summary>
    private static bool TryExactKopecks(decimal a, decimal b, decimal c, out decimal result)
    {
        result = 0m;
        if (!TryMantissa(a, out ulong ma, out int sa) || !TryMantissa(b, out ulong mb, out int sb) || !TryMantissa(c, out ulong mc, out int sc))
        {
            return false;
        }

        int scale = sa + sb + sc;
        ulong high = Math.BigMul(ma, mb, out ulong ab);
        if (high != 0 || scale > 28)
        {
            return false;
        }

        high = Math.BigMul(ab, mc, out ulong abc);
        if (high != 0)
        {
            return false;
        }

        if (scale <= 2)
        {
            // decimal.Round leaves a value with at most two decimals as it is
            result = new decimal((int)(uint)abc, (int)(uint)(abc >> 32), 0, false, (byte)scale);
            return true;
        }

        if (scale - 2 >= PowersOfTen.Length)
        {
            return false;
        }

        ulong divisor = PowersOfTen[scale - 2];
        (ulong kopecks, ulong rest) = Math.DivRem(abc, divisor);
        if (rest >= divisor - rest)
        {
            kopecks++;
        }

        result = new decimal((int)(uint)kopecks, (int)(uint)(kopecks >> 32), 0, false, 2);
        return true;
    }

    /// <summary>The mantissa and scale of a positive decimal whose mantissa fits 64 bits.</summary>
    private static bool TryMantissa(decimal value, out ulong mantissa, out int scale) =>
        DecimalBits.TryUnsigned64(value, out mantissa, out scale) && mantissa != 0;

    private static ReadOnlySpan<ulong> PowersOfTen => DecimalBits.PowersOfTen;
}
