using Calc.Cli.Csv;
using Calc.Cli.Income;
using Calc.Cli.Tests.Infrastructure;

namespace Calc.Cli.Tests;

public class ReceiptParserTests
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    /// <summary>The five receipts every dialect fixture holds, as UTC instants.</summary>
    private static readonly (string Id, string ReceivedAtUtc, string Asset, string Amount)[] Expected =
    [
        ("R1", "2025-03-14T06:15:00Z", "BTC", "0.00512345"),
        ("R2", "2025-03-15T22:30:00Z", "BTC", "0.0125"),
        ("R3", "2025-03-16T09:00:00Z", "ETH", "0.75"),
        ("R4", "2025-03-17T20:59:59Z", "ETH", "1.5"),
        ("R5", "2025-03-18T21:00:00Z", "BTC", "0.002"),
    ];

    [Theory]
    [InlineData("iso-utf8.csv")]
    [InlineData("utf8-bom-semicolon.csv")]
    [InlineData("1c-semicolon-cp1251.csv")]
    [InlineData("comma-quoted-decimal-comma.csv")]
    public void Parse_EveryExportDialect_GivesTheSameReceipts(string file)
    {
        var rows = ReadAll(file);

        Assert.All(rows, r => Assert.Null(r.Error));
        Assert.Equal(Expected, rows.Select(r => (r.Receipt!.Id, r.Receipt.ReceivedAt.ToString().Trim('"'), r.Receipt.Asset, r.Receipt.Amount)).ToArray());
    }

    [Fact]
    public void Parse_BadRows_BecomeErrorsWithLineNumbers()
    {
        var rows = ReadAll("bad-rows.csv");

        var errors = rows.Where(r => r.Error is not null).Select(r => (r.Line, r.Id, r.Error!.Reason, r.Error.Field)).ToArray();
        Assert.Equal(
            [(3, "B2", "MISSING_FIELD", "amount"), (4, "B3", "INVALID_DECIMAL", "amount"), (5, "B4", "INVALID_TIMESTAMP", "received_at"),
                (8, "B7", "CSV_FORMAT", "")],
            errors);
        Assert.Equal(["B1", "B5", "B6", "B8", "B9"], rows.Where(r => r.Receipt is not null).Select(r => r.Id));
        Assert.Equal("-0.5", rows.Single(r => r.Id == "B8").Receipt!.Amount); // the server judges the sign (INVALID_AMOUNT)
    }

    [Theory]
    [InlineData("2025-03-15T22:30:00Z", "2025-03-15T22:30:00Z")]
    [InlineData("2025-03-16T01:30:00+03:00", "2025-03-15T22:30:00Z")]
    [InlineData("2025-03-16 01:30:00.250+03:00", "2025-03-15T22:30:00.250Z")]
    [InlineData("16.03.2025 01:30:00", "2025-03-15T22:30:00Z")]
    [InlineData("16.03.2025 1:30", "2025-03-15T22:30:00Z")]
    [InlineData("2025-03-16 01:30:00", "2025-03-15T22:30:00Z")]
    [InlineData("16.03.2025", "2025-03-15T21:00:00Z")]
    public void TryParseInstant_IsoOrLocalMoscow_GivesTheInstant(string text, string expectedUtc)
    {
        Assert.True(ReceiptParser.TryParseInstant(text, Moscow, out var instant, out _));

        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), instant);
    }

    [Theory]
    [InlineData("31.02.2025 10:00:00")]
    [InlineData("2025-03-16T25:00:00Z")]
    [InlineData("yesterday")]
    [InlineData("03/16/2025 10:00")]
    public void TryParseInstant_NotADateTime_Fails(string text) =>
        Assert.False(ReceiptParser.TryParseInstant(text, Moscow, out _, out _));

    [Fact]
    public void Map_MissingAmountColumn_NamesTheColumnAndItsAliases()
    {
        var e = Assert.Throws<CliException>(() => ReceiptColumns.Map(["id", "Дата", "Монета"], "receipts.csv"));

        Assert.StartsWith("receipts.csv:1: missing column(s) amount (header names: amount, quantity, qty, количество", e.Message);
    }

    [Fact]
    public void Map_TwoColumnsForOneField_IsAnError()
    {
        var e = Assert.Throws<CliException>(() => ReceiptColumns.Map(["Дата", "Период", "asset", "amount"], "r.csv"));

        Assert.Equal("r.csv:1: columns 'Дата' and 'Период' both map to received_at; rename one", e.Message);
    }

    [Fact]
    public void Map_UnknownColumns_AreListedAsIgnored()
    {
        var columns = ReceiptColumns.Map(["Received At", "ASSET", "Кол-во", "Количество", "Comment"], "r.csv");

        Assert.Equal(["Кол-во", "Comment"], columns.Ignored);
        Assert.Equal(-1, columns.Id);
        Assert.Equal(3, columns.Amount);
    }

    private static List<SourceRow> ReadAll(string file)
    {
        using var csv = CsvFile.Open(Fixtures.Receipts(file), CsvReadOptions.Auto);
        var fields = new List<string>();
        csv.TryRead(fields, out _, out _);
        var parser = new ReceiptParser(ReceiptColumns.Map(fields.ToArray(), file), Moscow) { HeaderWidth = fields.Count };
        var rows = new List<SourceRow>();
        while (csv.TryRead(fields, out long line, out string? error))
        {
            rows.Add(parser.Parse(fields, line, error, csv.BytesRead));
        }

        return rows;
    }
}
