using Calc.Cli.Csv;
using Google.Protobuf;
using Spectre.Console;

namespace Calc.Cli.Output;

/// <summary>Prints a <see cref="CommandView"/> in the chosen format to standard output.</summary>
internal static class ViewRenderer
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default
        .WithFormatDefaultValues(true)
        .WithPreserveProtoFieldNames(true)
        .WithIndentation());

    public static void Render(CommandView view, OutputFormat format, CsvDialect dialect, CliConsole console)
    {
        switch (format)
        {
            case OutputFormat.Json:
                console.Out.WriteLine(view.Message is null ? "{}" : Json.Format(view.Message));
                break;
            case OutputFormat.Csv:
                if (view.Tables.Count > 0)
                {
                    WriteCsv(view.Tables[0], dialect, console.Out);
                }

                foreach (var note in view.Notes)
                {
                    console.Error.WriteLine("calc: " + note);
                }

                break;
            default:
                RenderTables(view, console.AnsiOut);
                break;
        }

        console.Out.Flush();
    }

    public static string FormatJson(IMessage message) => Json.Format(message);

    public static void WriteCsv(ResultTable table, CsvDialect dialect, TextWriter writer)
    {
        CsvText.WriteRow(writer, table.Columns.Select(c => c.Name).ToArray(), dialect.Delimiter);
        var fields = new string[table.Columns.Count];
        foreach (var row in table.Rows)
        {
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = dialect.Value(i < row.Count ? row[i] : "", table.Columns[i].Kind);
            }

            CsvText.WriteRow(writer, fields, dialect.Delimiter);
        }
    }

    private static void RenderTables(CommandView view, IAnsiConsole console)
    {
        foreach (var result in view.Tables)
        {
            var table = new Table { Border = TableBorder.Rounded };
            if (result.Title.Length > 0)
            {
                table.Title = new TableTitle(Markup.Escape(result.Title));
            }

            foreach (var column in result.Columns)
            {
                var tableColumn = new TableColumn(Markup.Escape(column.Name));
                if (column.Kind == ColumnKind.Number)
                {
                    tableColumn.RightAligned();
                }

                table.AddColumn(tableColumn);
            }

            foreach (var row in result.Rows)
            {
                table.AddRow(result.Columns.Select((_, i) => Markup.Escape(i < row.Count ? row[i] : "")).ToArray());
            }

            console.Write(table);
        }

        foreach (var note in view.Notes)
        {
            console.WriteLine(note);
        }
    }
}
