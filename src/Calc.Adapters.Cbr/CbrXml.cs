using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Calc.Adapters.Cbr;

/// <summary>One currency of an XML_daily answer, as published.</summary>
public sealed record CbrDailyEntry(string Id, string NumCode, string CharCode, int Nominal, string Name, decimal Value, decimal UnitRate);

/// <summary>XML_daily: every currency's rate in force on <see cref="Date"/> (ValCurs@Date is the effective date).</summary>
public sealed record CbrDaily(DateOnly Date, IReadOnlyList<CbrDailyEntry> Entries);

/// <summary>One record of XML_dynamic: the rate that took effect on <see cref="Date"/>.</summary>
public sealed record CbrDynamicRecord(DateOnly Date, string Id, int Nominal, decimal Value, decimal UnitRate);

/// <summary>XML_dynamic: the records of one currency whose effective dates fall in [From, To].</summary>
public sealed record CbrDynamic(string Id, DateOnly From, DateOnly To, IReadOnlyList<CbrDynamicRecord> Records);

/// <summary>A CBR answer that is not the documented XML (truncated, HTML, wrong shape, bad numbers).</summary>
public sealed class CbrFormatException : Exception
{
    public CbrFormatException() { }

    public CbrFormatException(string message) : base(message) { }

    public CbrFormatException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// Parses the CBR REST XML answers from their raw bytes: the encoding comes from the XML declaration
/// (windows-1251 in every real answer; a BOM or no declaration means UTF-8). Numbers use a decimal comma;
/// <c>VunitRate</c> is optional (absent before 2024) and, when present, must equal <c>Value / Nominal</c>.
/// Anything else is a <see cref="CbrFormatException"/>; nothing is guessed.
/// </summary>
public static class CbrXml
{
    static CbrXml() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static CbrDaily ParseDaily(ReadOnlySpan<byte> body)
    {
        var root = Load(body);
        var date = ParseDate(Attr(root, "Date"), "ValCurs@Date");
        var entries = new List<CbrDailyEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in root.Elements())
        {
            if (v.Name.LocalName != "Valute")
            {
                throw new CbrFormatException($"unexpected element <{v.Name.LocalName}> in ValCurs");
            }

            string id = Attr(v, "ID");
            string charCode = Text(v, "CharCode");
            string where = $"Valute {id} ({charCode})";
            if (!seen.Add(charCode))
            {
                throw new CbrFormatException($"{where}: currency listed twice");
            }

            int nominal = ParseNominal(Text(v, "Nominal"), where);
            decimal value = ParseComma(Text(v, "Value"), where + " Value");
            decimal unit = UnitRate(v, nominal, value, where);
            entries.Add(new CbrDailyEntry(id, OptionalText(v, "NumCode") ?? "", charCode, nominal, OptionalText(v, "Name") ?? "", value, unit));
        }

        return new CbrDaily(date, entries);
    }

    public static CbrDynamic ParseDynamic(ReadOnlySpan<byte> body)
    {
        var root = Load(body);
        string id = Attr(root, "ID");
        var from = ParseDate(Attr(root, "DateRange1"), "ValCurs@DateRange1");
        var to = ParseDate(Attr(root, "DateRange2"), "ValCurs@DateRange2");
        var records = new List<CbrDynamicRecord>();
        foreach (var r in root.Elements())
        {
            if (r.Name.LocalName != "Record")
            {
                throw new CbrFormatException($"unexpected element <{r.Name.LocalName}> in ValCurs");
            }

            var date = ParseDate(Attr(r, "Date"), "Record@Date");
            string where = $"Record {date:yyyy-MM-dd}";
            string recordId = Attr(r, "Id");
            if (recordId != id)
            {
                throw new CbrFormatException($"{where}: Id {recordId} differs from ValCurs ID {id}");
            }

            if (date < from || date > to)
            {
                throw new CbrFormatException($"{where}: outside the range {from:yyyy-MM-dd}..{to:yyyy-MM-dd}");
            }

            if (records.Count > 0 && records[^1].Date >= date)
            {
                throw new CbrFormatException($"{where}: records out of order or repeated");
            }

            int nominal = ParseNominal(Text(r, "Nominal"), where);
            decimal value = ParseComma(Text(r, "Value"), where + " Value");
            records.Add(new CbrDynamicRecord(date, id, nominal, value, UnitRate(r, nominal, value, where)));
        }

        return new CbrDynamic(id, from, to, records);
    }

    /// <summary>A CBR number: digits with an optional decimal comma (<c>77,1734</c>, <c>0,493436</c>, <c>83</c>).</summary>
    public static decimal ParseComma(string text, string what)
    {
        int comma = text.IndexOf(',', StringComparison.Ordinal);
        bool ok = text.Length is > 0 and <= 30
            && comma != 0 && comma != text.Length - 1
            && text.AsSpan().IndexOfAnyExcept("0123456789,") < 0
            && text.AsSpan(comma + 1).IndexOf(',') < 0;
        if (!ok || !decimal.TryParse(text.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value) || value <= 0)
        {
            throw new CbrFormatException($"{what}: '{text}' is not a positive CBR decimal");
        }

        return value;
    }

    /// <summary>
    /// VunitRate is printed like a double: <c>11,027</c>, or with an exponent for tiny rates
    /// (<c>5,88139E-05</c> for IRR, nominal 1 000 000).
    /// </summary>
    public static decimal ParseVunitRate(string text, string what)
    {
        int e = text.IndexOfAny(['E', 'e']);
        if (e < 0)
        {
            return ParseComma(text, what);
        }

        decimal mantissa = ParseComma(text[..e], what);
        if (!int.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent) || exponent is < -20 or > 20)
        {
            throw new CbrFormatException($"{what}: '{text}' has an invalid exponent");
        }

        decimal scale = 1m;
        for (int i = 0; i < Math.Abs(exponent); i++)
        {
            scale *= 10m;
        }

        return exponent < 0 ? mantissa / scale : mantissa * scale;
    }

    private static decimal UnitRate(XElement parent, int nominal, decimal value, string where)
    {
        decimal computed = value / nominal;
        if (OptionalText(parent, "VunitRate") is { } text)
        {
            decimal published = ParseVunitRate(text, where + " VunitRate");
            if (Math.Abs(published - computed) > computed * 0.000000001m)
            {
                throw new CbrFormatException($"{where}: VunitRate {text} is not Value / Nominal = {computed.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        return computed;
    }

    private static XElement Load(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new CbrFormatException("empty response");
        }

        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true, CloseInput = true };
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            var root = XDocument.Load(reader).Root!;
            if (root.Name.LocalName != "ValCurs")
            {
                throw new CbrFormatException($"root element is <{root.Name.LocalName}>, not <ValCurs>");
            }

            return root;
        }
        catch (XmlException e)
        {
            throw new CbrFormatException("not well-formed XML: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            // e.g. an encoding named in the declaration that does not exist
            throw new CbrFormatException("unreadable XML: " + e.Message, e);
        }
    }

    private static string Attr(XElement e, string name) =>
        e.Attribute(name)?.Value is { Length: > 0 } v ? v : throw new CbrFormatException($"<{e.Name.LocalName}> lacks the attribute {name}");

    private static string Text(XElement e, string name) =>
        OptionalText(e, name) ?? throw new CbrFormatException($"<{e.Name.LocalName}> lacks <{name}>");

    private static string? OptionalText(XElement e, string name)
    {
        var child = e.Element(name);
        return child is null ? null : child.Value.Trim();
    }

    private static DateOnly ParseDate(string text, string what) =>
        DateOnly.TryParseExact(text, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new CbrFormatException($"{what}: '{text}' is not dd.mm.yyyy");

    private static int ParseNominal(string text, string where) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new CbrFormatException($"{where}: Nominal '{text}' is not a positive integer");
}
