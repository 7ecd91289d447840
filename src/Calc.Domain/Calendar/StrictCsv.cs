using Calc.Domain.Rules;

namespace Calc.Domain.Calendar;

/// <summary>
/// The reference CSV dialect: UTF-8, LF line endings, comma separator, an exact header on line 1, no quoting,
/// exactly the header's number of fields on every row. Anything else fails loading with file and line.
/// </summary>
internal static class StrictCsv
{
    public static List<(int Line, string[] Fields)> Read(string file, string text, string header)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\r', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal))
        {
            throw Fail(file, 0, "CR line endings and quoted fields are not allowed");
        }

        var lines = text.Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0)
        {
            count--;
        }

        if (count == 0 || lines[0] != header)
        {
            throw Fail(file, 1, $"header must be exactly '{header}'");
        }

        int width = header.Split(',').Length;
        var rows = new List<(int, string[])>(count);
        for (int i = 1; i < count; i++)
        {
            var fields = lines[i].Split(',');
            if (fields.Length != width)
            {
                throw Fail(file, i + 1, $"expected {width} fields, found {fields.Length}");
            }

            rows.Add((i + 1, fields));
        }

        if (rows.Count == 0)
        {
            throw Fail(file, 2, "no data rows");
        }

        return rows;
    }

    public static RuleSetLoadException Fail(string file, int line, string detail) =>
        new(file, RuleFileErrors.InvalidCsv, line > 0 ? $"line {line}: {detail}" : detail);
}
