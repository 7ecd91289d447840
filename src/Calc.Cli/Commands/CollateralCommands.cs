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

    /// <summary>Loan book columns: canonical name → accepted header names (matched as receipts headers are: case, spaces, '-', '_', ё).</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> BookAliases = new Dictionary<string, string[]>
    {
        ["id"] = ["id", "loan_id", "номер", "№", "идентификатор", "договор", "номер договора"],
        ["asset"] = ["asset", "coin", "актив", "монета", "криптовалюта"],
        ["amount"] = ["amount", "quantity", "qty", "количество", "объем", "объём"],
        ["loan_rub"] = ["loan_rub", "loan", "кредит", "сумма кредита", "заем", "займ", "долг"],
        ["haircut"] = ["haircut", "дисконт"],
        ["margin_call_ltv"] = ["margin_call_ltv"],
        ["liquidation_ltv"] = ["liquidation_ltv"],
    };

    /// <summary>One loan book line: a request sent, or a row refused before sending (its error kept for its place).</summary>
    private sealed record BookLine(long Line, string Id, string Asset, string Amount, string? Reason, string? Message);

    private static async Task<int> ValueBook(Invocation i, FileInfo file, ValueCollateralRequest template, CancellationToken ct)
    {
        using var csv = CsvFile.Open(file.FullName, CsvReadOptions.Auto);
        var fields = new List<string>();
        if (!csv.TryRead(fields, out _, out _))
        {
            throw new CliException($"{file.Name}:1: the file is empty (a header row is required)");
        }

        var columns = (Map: BookColumnsOf(fields, file.Name), Width: fields.Count);
        int At(string name) => columns.Map.TryGetValue(name, out int k) ? k : -1;
        int id = At("id"), asset = At("asset"), amount = At("amount"), loan = At("loan_rub");
        int haircut = At("haircut"), marginCall = At("margin_call_ltv"), liquidation = At("liquidation_ltv");

        await using var connection = await i.ConnectAsync(ct);
        var rows = new List<IReadOnlyList<string>>();
        var batch = new BatchValueCollateralRequest();
        var all = new BatchValueCollateralResponse();
        var pending = new List<BookLine>();
        int failed = 0;

        void ErrorRow(BookLine l, string reason, string message)
        {
            failed++;
            rows.Add([l.Id, "error", l.Asset, l.Amount, "", "", "", "", "", "", reason, message, Views.Int(l.Line)]);
        }

        async Task Send()
        {
            var response = batch.Items.Count == 0 ? new BatchValueCollateralResponse()
                : await connection.Client.Collateral.BatchValueCollateralAsync(batch, i.CallOptions(CommandRunner.DefaultUnaryTimeout, ct));
            all.Results.AddRange(response.Results);
            int next = 0;
            foreach (var l in pending)
            {
                if (l.Reason is not null)
                {
                    ErrorRow(l, l.Reason, l.Message!);
                    continue;
                }

                var result = response.Results[next++];
                if (result.Valuation is { } v)
                {
                    rows.Add([result.Id, StatusName(v.Status), l.Asset, l.Amount, v.MarketValueRub, v.CollateralValueRub, v.MaxLoanRub, v.Ltv, v.MarginCallPriceRub,
                        v.LiquidationPriceRub, "", "", Views.Int(l.Line)]);
                }
                else
                {
                    ErrorRow(l, result.Error?.Reason ?? "", result.Error?.Message ?? "");
                }
            }

            batch = new BatchValueCollateralRequest();
            pending.Clear();
        }

        while (csv.TryRead(fields, out long line, out string? error))
        {
            string Get(int k) => k >= 0 && k < fields.Count ? fields[k].Trim() : "";
            string rowId = Get(id), rowAsset = Get(asset).ToUpperInvariant(), rowAmount = Get(amount);
            var item = template.Clone();
            item.Id = rowId;
            item.Asset = rowAsset;
            string? reason = null, message = null;
            if (error is not null)
            {
                (reason, message) = ("CSV_FORMAT", $"line {line}: {error}");
            }
            else if (fields.Count > columns.Width)
            {
                (reason, message) = ("CSV_FORMAT", $"line {line}: {fields.Count} fields but the header has {columns.Width}");
            }
            else if (rowAsset.Length == 0 || rowAmount.Length == 0)
            {
                (reason, message) = ("MISSING_FIELD", $"line {line}: {(rowAsset.Length == 0 ? "asset" : "amount")} is empty");
            }
            else
            {
                foreach (var (k, name, set) in new (int, string, Action<string>)[]
                {
                    (amount, "amount", v => item.Amount = v), (loan, "loan_rub", v => item.LoanRub = v), (haircut, "haircut", v => item.Haircut = v),
                    (marginCall, "margin_call_ltv", v => item.MarginCallLtv = v), (liquidation, "liquidation_ltv", v => item.LiquidationLtv = v),
                })
                {
                    if (Get(k).Length == 0)
                    {
                        continue; // an optional column left empty keeps the command-line value
                    }

                    if (!Input.TryNormalizeDecimal(Get(k), out var value))
                    {
                        (reason, message) = ("INVALID_DECIMAL", $"line {line}: {name} '{Get(k)}' is not a decimal number");
                        break;
                    }

                    set(value);
                }
            }

            pending.Add(new BookLine(line, rowId, rowAsset, reason is null ? item.Amount : rowAmount, reason, message));
            if (reason is null)
            {
                batch.Items.Add(item);
            }

            if (batch.Items.Count == BatchSize)
            {
                await Send();
            }
        }

        if (pending.Count > 0)
        {
            await Send();
        }

        var table = new ResultTable($"Loan book {file.Name} as of {template.AsOf}", BookColumns, rows);
        ViewRenderer.Render(new CommandView(all, table), i.Format, i.CsvDialect, i.Console);
        if (rows.Any(r => r[10] == "PRICE_NOT_FOUND") && rows.All(r => r[1] == "error"))
        {
            i.Console.Error.WriteLine("calc: no row could be valued (PRICE_NOT_FOUND): " + i.NoPriceHint());
            i.Console.Error.Flush();
        }

        return failed > 0 ? ExitCodes.ItemsFailed : ExitCodes.Ok;
    }

    /// <summary>Maps the loan book header (English or Russian names); id, asset and amount are required.</summary>
    private static Dictionary<string, int> BookColumnsOf(IReadOnlyList<string> header, string fileName)
    {
        var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, names) in BookAliases)
        {
            foreach (var name in names)
            {
                lookup[Income.ReceiptColumns.Normalize(name)] = canonical;
            }
        }

        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < header.Count; k++)
        {
            if (lookup.TryGetValue(Income.ReceiptColumns.Normalize(header[k]), out var canonical) && !found.TryAdd(canonical, k))
            {
                throw new CliException($"{fileName}:1: columns '{header[found[canonical]].Trim()}' and '{header[k].Trim()}' both map to {canonical}; rename one");
            }
        }

        var missing = new[] { "id", "asset", "amount" }.Where(r => !found.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
        {
            string detail = string.Join("; ", missing.Select(m => $"{m} (header names: {string.Join(", ", BookAliases[m])})"));
            throw new CliException($"{fileName}:1: missing column(s) {detail}. Header read: {string.Join(" | ", header)}");
        }

        return found;
    }

    /// <summary>Status words in lower case, as income recognize writes them (ok, error).</summary>
    private static string StatusName(CollateralStatus status) => status switch
    {
        CollateralStatus.Ok => "ok",
        CollateralStatus.MarginCall => "margin_call",
        CollateralStatus.Liquidation => "liquidation",
        _ => "unspecified",
    };
}
