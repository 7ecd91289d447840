using System.Globalization;
using Calc.Application.MarketData;
using Calc.Application.Valuation;
using Calc.Domain.Dates;
using Calc.Domain.Errors;
using Calc.Domain.Income;
using Calc.Domain.Money;
using Calc.Domain.Quotes;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Services.Calc;

/// <summary>Application ↔ proto conversions shared by the calc.v1 services. Formatting only, no logic.</summary>
internal static class ProtoMap
{
    public static string Source(QuoteSource source) => source switch
    {
        QuoteSource.Import => "import",
        QuoteSource.Memory => "memory",
        QuoteSource.Redis => "redis",
        _ => "upstream",
    };

    public static string Dec(decimal value) => DecimalText.Format(value);

    public static string Date(DateOnly date) => IsoDate.ToText(date);

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
        Date = Date(quote.Date),
        EffectiveDate = Date(quote.Rate.EffectiveDate),
        Nominal = quote.Rate.Nominal,
        Value = Dec(quote.Rate.Value),
        UnitRate = Dec(quote.Rate.UnitRate),
        Source = Source(quote.Source),
        IsFinal = quote.IsFinal,
    };

    /// <summary>Full provenance of one pricing: the venue close and the CBR rate actually used.</summary>
    public static V1.Provenance Provenance(PricedClose p)
    {
        var close = p.Close.Close;
        var provenance = new V1.Provenance
        {
            Venue = close.Venue,
            Pair = close.Pair.ToString(),
            CloseDate = Date(close.Date),
            CloseTime = Timestamp.FromDateTimeOffset(close.CloseTime),
            Close = Dec(close.Close),
            Source = Source(p.Rate is { } r && r.Source > p.Close.Source ? r.Source : p.Close.Source),
            IsFinal = p.IsFinal,
            Conversion = p.Conversion,
            FnsListed = FnsVenueList.Embedded.IsListed(close.Venue),
        };
        if (!provenance.FnsListed)
        {
            provenance.Warnings.Add(NotFnsListed(close.Venue));
        }

        if (p.Rate is { } rate)
        {
            provenance.CbrCurrency = p.RateCurrency;
            provenance.CbrRate = Dec(rate.Rate.Value);
            provenance.CbrNominal = rate.Rate.Nominal;
            provenance.CbrEffectiveDate = Date(rate.Rate.EffectiveDate);
            provenance.CbrUnitRate = Dec(rate.Rate.UnitRate);
        }

        return provenance;
    }

    /// <summary>The warning of a valuation on a venue that is not on the FNS list (not an error: art. 282.3 allows any qualifying organiser).</summary>
    public static V1.Warning NotFnsListed(string venue) => new()
    {
        Reason = Reasons.VenueNotFnsListed,
        Message = $"venue '{venue}' is not on the FNS list of foreign trade organisers (list of {IsoDate.ToText(FnsVenueList.Embedded.ListDate)}); the quotation must meet art. 282.3's criteria",
    };

    /// <summary>One line of the monthly mining report.</summary>
    public static V1.MonthlyReportLine ReportLine(MonthlyReportLine line)
    {
        var proto = new V1.MonthlyReportLine
        {
            Year = line.Year,
            Month = line.Month,
            Asset = line.Asset,
            OperationType = (V1.MiningOperationType)(int)line.Operation,
            Identifier = line.Identifier,
            Amount = Dec(line.Amount),
            ReceiptCount = line.ReceiptCount,
            IncomeRub = Dec(line.IncomeRub),
            TxIdCount = line.TxIdCount,
            TxIdsTruncated = line.TxIdsTruncated,
            ReportDueDate = line.ReportDueDate is { } due ? Date(due) : "",
            ReportDueDateError = line.DueDateError is { } e ? ItemError(e) : null,
        };
        proto.TxIds.AddRange(line.TxIds);
        return proto;
    }

    public static V1.Quote Quote(PricedClose p) => new()
    {
        Asset = p.Asset,
        Date = Date(p.Date),
        Close = Dec(p.Close.Close.Close),
        PriceRub = Dec(p.PriceRub),
        QuoteCurrency = p.Close.Close.Pair.Quote,
        Provenance = Provenance(p),
    };

    public static PolicyInput? Policy(V1.ValuationPolicy? policy) => policy is null ? null : new PolicyInput(
        policy.Venue, policy.QuoteCurrency, policy.TimeZone, policy.AllowProvisional, policy.UsdtPolicy switch
        {
            V1.UsdtPolicy.TreatAsUsd => UsdtPolicy.TreatAsUsd,
            V1.UsdtPolicy.Reject => UsdtPolicy.Reject,
            V1.UsdtPolicy.Unspecified => null,
            _ => throw GrpcErrors.InvalidArgument(Reasons.InvalidEnum, "policy.usdt_policy", $"usdt_policy {(int)policy.UsdtPolicy} is not a known value"),
        });

    /// <summary>Cached "YYYY-MM-DD" strings: a month-end run has ~31 distinct dates and millions of results.</summary>
    public static string CachedDate(DateOnly date, Dictionary<DateOnly, string> cache)
    {
        if (!cache.TryGetValue(date, out var text))
        {
            text = IsoDate.ToText(date);
            cache[date] = text;
        }

        return text;
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
