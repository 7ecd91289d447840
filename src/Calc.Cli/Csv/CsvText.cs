namespace Calc.Cli.Csv;

/// <summary>RFC 4180 field quoting for the CSV files and output the CLI writes.</summary>
internal static class CsvText
{
    public static void WriteRow(TextWriter writer, IReadOnlyList<string> fields, char delimiter)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(delimiter);
            }

            WriteField(writer, fields[i], delimiter);
        }

        writer.Write('\n');
    }

    public static void WriteField(TextWriter writer, string value, char delimiter)
    {
        if (value.AsSpan().IndexOfAny(delimiter, '"', '\n') < 0 && !value.Contains('\r', StringComparison.Ordinal))
        {
            writer.Write(value);
            return;
        }

        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
