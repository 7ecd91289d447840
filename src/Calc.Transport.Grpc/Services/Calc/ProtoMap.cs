using Calc.Application.MarketData;
using Calc.Domain.Dates;
using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>Application → proto conversions shared by the calc.v1 services. No logic beyond formatting.</summary>
internal static class ProtoMap
{
    public static string Source(QuoteSource source) => source switch
    {
        QuoteSource.Import => "import",
        QuoteSource.Memory => "memory",
        QuoteSource.Redis => "redis",
        _ => "upstream",
    };

    public static V1.ItemError ItemError(CalcError error) => new()
    {
        Code = error.CodeName,
        Reason = error.Reason,
        Message = error.Message,
        Field = error.Field,
    };

    public static V1.CbrRate CbrRate(string currency, CbrRateQuote quote) => new()
    {
        Currency = currency,
        Date = IsoDate.ToText(quote.Date),
        EffectiveDate = IsoDate.ToText(quote.Rate.EffectiveDate),
        Nominal = quote.Rate.Nominal,
        Value = DecimalText.Format(quote.Rate.Value),
        UnitRate = DecimalText.Format(quote.Rate.UnitRate),
        Source = Source(quote.Source),
        IsFinal = quote.IsFinal,
    };
}
