using Calc.Cli.Csv;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary>Sales for <c>calc profit-tax --sales</c>: sale_date, asset, amount, proceeds_rub, cost_rub[, quote_rub].</summary>
internal static class SalesCsv
{
    public static IEnumerable<Sale> Read(FileInfo file)
    {
        using var csv = CsvFile.Open(file.FullName, CsvReadOptions.Auto);
        var fields = new List<string>();
        if (!csv.TryRead(fields, out _, out _))
        {
            throw new CliException($"{file.Name}: empty file");
        }

        var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        int At(string name, bool required = true)
        {
            int index = header.IndexOf(name);
            return index >= 0 || !required ? index : throw new CliException($"{file.Name}:1: missing column {name}");
        }

        int date = At("sale_date"), asset = At("asset"), amount = At("amount"), proceeds = At("proceeds_rub"), cost = At("cost_rub"), quote = At("quote_rub", false);
        var sales = new List<Sale>();
        while (csv.TryRead(fields, out long line, out string? error))
        {
            if (error is not null)
            {
                throw new CliException($"{file.Name}:{line}: {error}");
            }

            string Get(int i) => i >= 0 && i < fields.Count ? fields[i].Trim() : "";
            string Dec(int i, string name) => Input.TryNormalizeDecimal(Get(i), out var v) ? v
                : throw new CliException($"{file.Name}:{line}: {name} '{Get(i)}' is not a decimal number");
            sales.Add(new Sale
            {
                SaleDate = Input.TryNormalizeDate(Get(date), out var iso) ? iso : throw new CliException($"{file.Name}:{line}: sale_date '{Get(date)}' is not a date"),
                Asset = Get(asset).ToUpperInvariant(),
                Amount = Dec(amount, "amount"),
                ProceedsRub = Dec(proceeds, "proceeds_rub"),
                CostRub = Dec(cost, "cost_rub"),
                QuoteRub = Get(quote).Length > 0 ? Dec(quote, "quote_rub") : "",
            });
        }

        return sales;
    }
}
