using System.Text;
using Calc.Cli.Csv;
using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

public class CsvFileTests
{
    [Theory]
    [InlineData("iso-utf8.csv", ',', "utf-8", "id")]
    [InlineData("utf8-bom-semicolon.csv", ';', "utf-8", "Номер")]
    [InlineData("1c-semicolon-cp1251.csv", ';', "windows-1251", "Номер")]
    [InlineData("comma-quoted-decimal-comma.csv", ',', "utf-8", "ID")]
    public void Open_ExportDialect_DetectsEncodingAndDelimiter(string file, char delimiter, string encoding, string firstHeader)
    {
        using var csv = CsvFile.Open(Fixtures.Receipts(file), CsvReadOptions.Auto);
        var fields = new List<string>();

        Assert.True(csv.TryRead(fields, out long line, out string? error));

        Assert.Equal(delimiter, csv.Delimiter);
        Assert.Equal(encoding, csv.Encoding.WebName);
        Assert.Equal(1, line);
        Assert.Null(error);
        Assert.Equal(firstHeader, fields[0]);
        Assert.Equal(fields[0] == "ID" ? 6 : 7, fields.Count);
    }

    [Fact]
    public void TryRead_QuotedFieldsWithLineBreakAndQuotes_ReportsStartLinesAndUnquotes()
    {
        using var csv = CsvFile.Open(Fixtures.Receipts("comma-quoted-decimal-comma.csv"), CsvReadOptions.Auto);
        var fields = new List<string>();
        var records = new List<(long Line, string Id, string Amount, string Comment)>();

        while (csv.TryRead(fields, out long line, out _))
        {
            records.Add((line, fields[0], fields[3], fields[5]));
        }

        Assert.Equal(
            [(1, "ID", "Amount", "Comment"), (2, "R1", "0,00512345", ""), (3, "R2", "0,0125", "payout split\nacross two lines"),
                (5, "R3", "0,75", "quoted \"nickname\""), (6, "R4", "1,5", ""), (7, "R5", "0,002", "")],
            records);
    }

    [Fact]
    public void TryRead_CrLfAndBlankLines_SkipsBlankLinesAndKeepsNumbering()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("a.csv"), "a;b\r\n1;2\r\n\r\n3;4\r\n");
        using var csv = CsvFile.Open(temp.File("a.csv"), CsvReadOptions.Auto);
        var fields = new List<string>();
        var lines = new List<long>();

        while (csv.TryRead(fields, out long line, out _))
        {
            lines.Add(line);
        }

        Assert.Equal([1L, 2L, 4L], lines);
    }

    [Fact]
    public void TryRead_UnterminatedQuote_ReportsTheLineItStarted()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("a.csv"), "id,amount\nR1,\"0,5\nR2,1\n");
        using var csv = CsvFile.Open(temp.File("a.csv"), CsvReadOptions.Auto);
        var fields = new List<string>();
        csv.TryRead(fields, out _, out _);

        Assert.True(csv.TryRead(fields, out long line, out string? error));

        Assert.Equal(2, line);
        Assert.Equal("a quoted field starting on line 2 is not closed before the end of the file", error);
    }

    [Fact]
    public void ChooseEncoding_PrefixEndsInsideUtf8Character_StillUtf8()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("дата");
        var cut = bytes.AsSpan(0, bytes.Length - 1); // last character split by the sniffing window

        Assert.Equal("utf-8", CsvFile.ChooseEncoding(null, cut, wholeFile: false).WebName);
        Assert.Equal("windows-1251", CsvFile.ChooseEncoding(null, cut, wholeFile: true).WebName);
    }

    [Theory]
    [InlineData("id,received_at,asset", ',')]
    [InlineData("id;received_at;asset", ';')]
    [InlineData("id\treceived_at\tasset", '\t')]
    [InlineData("\"a;b\",c,d", ',')]
    [InlineData("single", ',')]
    public void DetectDelimiter_HeaderLine_PicksTheDelimiterOutsideQuotes(string header, char expected) =>
        Assert.Equal(expected, CsvFile.DetectDelimiter(header));

    [Fact]
    public void Open_ExcelSeparatorLine_UsesItAndReadsTheHeaderAfterIt()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("a.csv"), "sep=;\nid;amount,comment\nR1;0,5\n");
        using var csv = CsvFile.Open(temp.File("a.csv"), CsvReadOptions.Auto);
        var fields = new List<string>();

        Assert.True(csv.TryRead(fields, out long line, out _));

        Assert.Equal(';', csv.Delimiter);
        Assert.Equal(2L, line);
        Assert.Equal(["id", "amount,comment"], fields);
    }

    [Fact]
    public void Open_Utf16WithBom_DecodesRussianHeaders()
    {
        using var temp = Fixtures.Temp();
        File.WriteAllText(temp.File("a.csv"), "Номер;Количество\nR1;0,5\n", Encoding.Unicode);
        using var csv = CsvFile.Open(temp.File("a.csv"), CsvReadOptions.Auto);
        var fields = new List<string>();

        Assert.True(csv.TryRead(fields, out _, out _));

        Assert.Equal((';', "Номер"), (csv.Delimiter, fields[0]));
    }
}

