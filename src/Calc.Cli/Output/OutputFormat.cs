using System.Globalization;
using Calc.Domain.Dates;

namespace Calc.Cli.Output;

/// <summary>How results are printed: human tables (default), <c>--json</c> or <c>--csv</c>.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>How a column's values are written in CSV.</summary>
internal enum ColumnKind
{
    Text,
    Number,
    Date,
}

/// <summary>A CSV flavour: the invariant one for machines, or 1C's (Russian locale) for import.</summary>
/// <param name="Delimiter">Field separator.</param>
/// <param name="DecimalComma">Write decimals with ',' (1C, Russian Excel).</param>
/// <param name="DayFirstDates">Write dates as dd.MM.yyyy.</param>
/// <param name="Bom">Start files with a UTF-8 BOM (1C and Excel detect UTF-8 by it).</param>
internal sealed record CsvDialect(char Delimiter, bool DecimalComma, bool DayFirstDates, bool Bom)
{
    public static readonly CsvDialect Invariant = new(',', false, false, false);

    public static readonly CsvDialect OneC = new(';', true, true, true);

    public string Value(string value, ColumnKind kind) => kind switch
    {
        ColumnKind.Number when DecimalComma => value.Replace('.', ','),
        ColumnKind.Date when DayFirstDates && IsoDate.TryParse(value, out var date) =>
            date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture),
        _ => value,
    };
}

/// <summary>A column of a result table.</summary>
internal sealed record Column(string Name, ColumnKind Kind = ColumnKind.Text);

/// <summary>One table of a command's result.</summary>
internal sealed record ResultTable(string Title, IReadOnlyList<Column> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// What a command prints: the response message (for <c>--json</c>), its tables (human output; the first
/// one is the <c>--csv</c> output) and explanation lines.
/// </summary>
internal sealed record CommandView(Google.Protobuf.IMessage? Message, IReadOnlyList<ResultTable> Tables, IReadOnlyList<string> Notes)
{
    public CommandView(Google.Protobuf.IMessage? message, params ResultTable[] tables) : this(message, tables, []) { }
}
