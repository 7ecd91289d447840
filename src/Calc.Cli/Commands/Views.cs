using Calc.Cli.Output;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary>Table shapes shared by several commands.</summary>
internal static class Views
{
    public static readonly Column[] ProvenanceColumns =
    [
        new("venue"), new("pair"), new("close", ColumnKind.Number), new("close_date", ColumnKind.Date),
        new("cbr_currency"), new("cbr_rate", ColumnKind.Number), new("cbr_nominal", ColumnKind.Number),
        new("cbr_effective_date", ColumnKind.Date), new("conversion"), new("is_final"), new("source"),
    ];

    public static string[] ProvenanceCells(Provenance? p) => p is null
        ? new string[ProvenanceColumns.Length]
        : [p.Venue, p.Pair, p.Close, p.CloseDate, p.CbrCurrency, p.CbrRate, Int(p.CbrNominal), p.CbrEffectiveDate,
            p.Conversion, p.IsFinal ? "true" : "false", p.Source];

    public static string Int(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A two-column (field, value) table.</summary>
    public static ResultTable KeyValues(string title, params (string Key, string Value)[] rows) =>
        new(title, [new Column("field"), new Column("value", ColumnKind.Number)],
            rows.Select(r => (IReadOnlyList<string>)[r.Key, r.Value]).ToArray());

    public static ValuationPolicy Policy(string? venue, string? currency, bool provisional) => new()
    {
        Venue = venue ?? "",
        QuoteCurrency = currency?.ToUpperInvariant() ?? "",
        AllowProvisional = provisional,
    };
}
