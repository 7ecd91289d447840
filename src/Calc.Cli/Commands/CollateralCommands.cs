using System.CommandLine;
using Calc.Cli.Csv;
using Calc.Cli.Output;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary>
/// <c>calc collateral BTC 1.5 --as-of …</c> values one pledged position; <c>calc collateral --in loans.csv --as-of …</c>
/// values a loan book (BatchValueCollateral, 10,000 items per call), one output row per loan, errors included.
/// </summary>
internal static class CollateralCommands
{
    private const int BatchSize = 10_000;

    private static readonly Column[] BookColumns =
    [
        new("id"), new("status"), new("asset"), new("amount", ColumnKind.Number), new("market_value_rub", ColumnKind.Number),
        new("collateral_value_rub", ColumnKind.Number), new("max_loan_rub", ColumnKind.Number), new("ltv", ColumnKind.Number),
        new("margin_call_price_rub", ColumnKind.Number), new("liquidation_price_rub", ColumnKind.Number), new("error_reason"), new("error_message"),
        new("source_line", ColumnKind.Number),
    ];

    public static Command Collateral(CommandRunner runner)
    {
        var asset = new Argument<string?>("asset") { Description = "Asset code, e.g. BTC (or --in)", Arity = ArgumentArity.ZeroOrOne };
        var amount = new Argument<string?>("amount") { Description = "Coins pledged, e.g. 2.5 (or --in)", Arity = ArgumentArity.ZeroOrOne };
        var book = new Option<FileInfo?>("--in") { Description = "Loan book CSV: id, asset, amount, loan_rub[, haircut, margin_call_ltv, liquidation_ltv]" };
        var asOf = new Option<string>("--as-of") { Description = "Valuation day (that day's close), YYYY-MM-DD", Required = true };
        var loan = new Option<string?>("--loan") { Description = "Outstanding loan, RUB" };
        var haircut = new Option<string?>("--haircut") { Description = "Discount to market value, e.g. 0.5 (default: the server's)" };
        var marginCall = new Option<string?>("--margin-call-ltv") { Description = "LTV of the margin call (default: the server's)" };
        var liquidation = new Option<string?>("--liquidation-ltv") { Description = "LTV of liquidation (default: the server's)" };
        var venue = QuoteCommands.Venue();
        var currency = QuoteCommands.Currency();
        var command = new Command("collateral", "Value mined coins pledged as loan collateral: market value, haircut, LTV, margin-call and liquidation prices")
        {
            asset, amount, book, asOf, loan, haircut, marginCall, liquidation, venue, currency,
        };
        runner.SetAction(command, async (i, ct) =>
        {
            var template = new ValueCollateralRequest
            {
                AsOf = Input.Date(i.Get(asOf), "--as-of"),
                LoanRub = Input.OptionalDecimal(i.Get(loan), "--loan") ?? "0",
                Haircut = Input.OptionalDecimal(i.Get(haircut), "--haircut") ?? "",
                MarginCallLtv = Input.OptionalDecimal(i.Get(marginCall), "--margin-call-ltv") ?? "",
                LiquidationLtv = Input.OptionalDecimal(i.Get(liquidation), "--liquidation-ltv") ?? "",
                Policy = Views.Policy(i.Get(venue), i.Get(currency), false),
            };
            if (i.Get(book) is { } file)
            {
                return await ValueBook(i, file, template, ct);
            }

            template.Asset = (i.Get(asset) ?? throw new CliException("give an asset and an amount, or --in loans.csv")).ToUpperInvariant();
            template.Amount = Input.Decimal(i.Get(amount) ?? throw new CliException("give the amount of coins pledged"), "amount");
            await using var connection = await i.ConnectAsync(ct);
            var r = await connection.Client.Collateral.ValueCollateralAsync(template, i.CallOptions(CommandRunner.DefaultUnaryTimeout, ct));
            ViewRenderer.Render(new CommandView(r,
                Views.KeyValues("Collateral",
                    ("status", StatusName(r.Status)), ("market_value_rub", r.MarketValueRub), ("haircut", r.Haircut),
                    ("collateral_value_rub", r.CollateralValueRub), ("max_loan_rub", r.MaxLoanRub), ("ltv", r.Ltv),
                    ("margin_call_ltv", r.MarginCallLtv), ("margin_call_price_rub", r.MarginCallPriceRub),
                    ("liquidation_ltv", r.LiquidationLtv), ("liquidation_price_rub", r.LiquidationPriceRub), ("price_rub", r.PriceRub)),
                new ResultTable("Provenance", Views.ProvenanceColumns, [Views.ProvenanceCells(r.Provenance)])), i.Format, i.CsvDialect, i.Console);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> ValueBook(Invocation i, FileInfo file, ValueCollateralRequest template, CancellationToken ct)
    {
        using var csv = CsvFile.Open(file.FullName, CsvReadOptions.Auto);
        var fields = new List<string>();
        if (!csv.TryRead(fields, out _, out _))
        {
            throw new CliException($"{file.Name}:1: the file is empty (a header row is required)");
        }

        var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        int Column(string name, bool required) =>
            header.IndexOf(name) is var k && (k >= 0 || !required) ? k : throw new CliException($"{file.Name}:1: missing column {name} (id, asset, amount, loan_rub)");
        int id = Column("id", true), asset = Column("asset", true), amount = Column("amount", true), loan = Column("loan_rub", false);
        int haircut = Column("haircut", false), marginCall = Column("margin_call_ltv", false), liquidation = Column("liquidation_ltv", false);

        await using var connection = await i.ConnectAsync(ct);
        var rows = new List<IReadOnlyList<string>>();
        var batch = new BatchValueCollateralRequest();
        var all = new BatchValueCollateralResponse();
        var lines = new List<(long Line, string Asset, string Amount)>();
        int failed = 0;

        async Task Send()
        {
            var response = await connection.Client.Collateral.BatchValueCollateralAsync(batch, i.CallOptions(CommandRunner.DefaultUnaryTimeout, ct));
            all.Results.AddRange(response.Results);
            for (int k = 0; k < response.Results.Count; k++)
            {
                var (line, a, n) = lines[k];
                var result = response.Results[k];
                if (result.Valuation is { } v)
                {
                    rows.Add([result.Id, StatusName(v.Status), a, n, v.MarketValueRub, v.CollateralValueRub, v.MaxLoanRub, v.Ltv, v.MarginCallPriceRub,
                        v.LiquidationPriceRub, "", "", Views.Int(line)]);
                }
                else
                {
                    failed++;
                    rows.Add([result.Id, "error", a, n, "", "", "", "", "", "", result.Error?.Reason ?? "", result.Error?.Message ?? "", Views.Int(line)]);
                }
            }

            batch = new BatchValueCollateralRequest();
            lines.Clear();
        }

        while (csv.TryRead(fields, out long line, out string? error))
        {
            string Get(int k) => k >= 0 && k < fields.Count ? fields[k].Trim() : "";
            string Dec(int k, string name, string fallback) => Get(k).Length == 0 ? fallback
                : Input.TryNormalizeDecimal(Get(k), out var value) ? value : throw new CliException($"{file.Name}:{line}: {name} '{Get(k)}' is not a decimal number");
            if (error is not null)
            {
                throw new CliException($"{file.Name}:{line}: {error}");
            }

            var item = template.Clone();
            item.Id = Get(id);
            item.Asset = Get(asset).ToUpperInvariant();
            item.Amount = Dec(amount, "amount", "");
            item.LoanRub = Dec(loan, "loan_rub", template.LoanRub);
            item.Haircut = Dec(haircut, "haircut", template.Haircut);
            item.MarginCallLtv = Dec(marginCall, "margin_call_ltv", template.MarginCallLtv);
            item.LiquidationLtv = Dec(liquidation, "liquidation_ltv", template.LiquidationLtv);
            batch.Items.Add(item);
            lines.Add((line, item.Asset, item.Amount));
            if (batch.Items.Count == BatchSize)
            {
                await Send();
            }
        }

        if (batch.Items.Count > 0)
        {
            await Send();
        }

        var table = new ResultTable($"Loan book {file.Name} as of {template.AsOf}", BookColumns, rows);
        ViewRenderer.Render(new CommandView(all, table), i.Format, i.CsvDialect, i.Console);
        return failed > 0 ? ExitCodes.ItemsFailed : ExitCodes.Ok;
    }

    private static string StatusName(CollateralStatus status) => status switch
    {
        CollateralStatus.Ok => "OK",
        CollateralStatus.MarginCall => "MARGIN_CALL",
        CollateralStatus.Liquidation => "LIQUIDATION",
        _ => "UNSPECIFIED",
    };
}
