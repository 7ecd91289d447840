using Calc.Domain.Quotes;

namespace Calc.Domain.Income;

/// <summary>A mining receipt: the right to dispose of <see cref="Amount"/> of <see cref="Asset"/> arose at <see cref="ReceivedAt"/>.</summary>
public readonly record struct MiningReceipt(string Id, DateTimeOffset ReceivedAt, string Asset, decimal Amount);

/// <summary>How the close was turned into roubles.</summary>
public enum ConversionMethod
{
    /// <summary>The close is in RUB: no conversion.</summary>
    None,

    /// <summary>Close × CBR official rate in force on the income date (art. 282.3; tax-rules R2.6, R2.7).</summary>
    CbrRate,

    /// <summary>USDT close priced as USD at the CBR USD rate (<see cref="UsdtPolicy.TreatAsUsd"/>).</summary>
    UsdtAsUsd,
}

/// <summary>
/// One recognised mining income: <see cref="IncomeRub"/> = round2(amount × close × CBR unit rate), with the
/// close and rate actually used (the provenance an accountant needs to reproduce the figure). It references
/// the caller's <see cref="DailyClose"/> and <see cref="CbrRate"/> instead of copying them, so recognising a
/// receipt allocates nothing.
/// </summary>
public readonly record struct RecognizedIncome(
    string ReceiptId,
    DateOnly IncomeDate,
    string Asset,
    decimal Amount,
    decimal IncomeRub,
    DailyClose Close,
    CbrRate? Rate,
    ConversionMethod Conversion,
    bool IsFinal)
{
    /// <summary>Roubles per unit of the close's quote currency (1 for RUB).</summary>
    public decimal UnitRate => Rate?.UnitRate ?? 1m;

    /// <summary>A one-line, stable description of the method, e.g. for the provenance <c>source</c> field.</summary>
    public string Source => Conversion switch
    {
        ConversionMethod.None => "venue daily close in RUB (NK art. 282.3)",
        ConversionMethod.CbrRate => "venue daily close x CBR official rate in force on the income date (NK art. 282.3)",
        _ => "venue daily close in USDT priced as USD (policy USDT=TREAT_AS_USD) x CBR USD rate in force on the income date",
    };
}
