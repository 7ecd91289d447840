using System.CommandLine;
using Calc.Cli.Output;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary><c>calc quote</c> and <c>calc rates</c>.</summary>
internal static class QuoteCommands
{
    public static Option<string?> Venue() => new("--venue") { Description = "Venue id, e.g. binance, coinbase (default: the server's)" };

    public static Option<string?> Currency() => new("--currency") { Description = "Quote currency of the pair: USDT, USD, EUR, RUB (default: the server's)" };

    public static Option<bool> Provisional() => new("--provisional") { Description = "Accept a not-yet-final close or rate (is_final = false)" };

    public static Command Quote(CommandRunner runner)
    {
        var asset = new Argument<string>("asset") { Description = "Asset code, e.g. BTC" };
        var date = new Argument<string>("date") { Description = "Trading day (UTC), YYYY-MM-DD or dd.MM.yyyy" };
        var venue = Venue();
        var currency = Currency();
        var provisional = Provisional();
        var command = new Command("quote", "The daily close of an asset on a venue and its RUB price at the CBR rate in force that day")
        {
            asset, date, venue, currency, provisional,
        };
        runner.SetUnary(command,
            (i, client, options, ct) => client.Quotes.GetQuoteAsync(new GetQuoteRequest
            {
                Asset = i.Get(asset).ToUpperInvariant(),
                Date = Input.Date(i.Get(date), "date"),
                Venue = i.Get(venue) ?? "",
                QuoteCurrency = i.Get(currency)?.ToUpperInvariant() ?? "",
                AllowProvisional = i.Get(provisional),
            }, options).ResponseAsync,
            (q, _) => new CommandView(q, new ResultTable($"{q.Asset} on {q.Date}",
                [new Column("asset"), new Column("date", ColumnKind.Date), new Column("price_rub", ColumnKind.Number), .. Views.ProvenanceColumns],
                [[q.Asset, q.Date, q.PriceRub, .. Views.ProvenanceCells(q.Provenance)]])));
        return command;
    }

    public static Command Rates(CommandRunner runner)
    {
        var currencies = new Argument<string[]>("currency") { Description = "ISO codes, e.g. USD EUR CNY", Arity = ArgumentArity.OneOrMore };
        var from = new Option<string?>("--from") { Description = "First day, YYYY-MM-DD (inclusive)" };
        var to = new Option<string?>("--to") { Description = "Last day, YYYY-MM-DD (inclusive; default: --from)" };
        var command = new Command("rates", "Official CBR rates in force on every day of a period (a table, or --csv / --1c for 1C import)")
        {
            currencies, from, to,
        };
        runner.SetUnary(command,
            (i, client, options, ct) =>
            {
                string first = Input.Date(i.Get(from) ?? throw new CliException("--from is required (YYYY-MM-DD)"), "--from");
                string last = i.Get(to) is { } t ? Input.Date(t, "--to") : first;
                var request = new ListCbrRatesRequest { From = first, To = last };
                request.Currencies.AddRange(i.Get(currencies).Select(c => c.ToUpperInvariant()));
                return client.Quotes.ListCbrRatesAsync(request, options).ResponseAsync;
            },
            (r, _) =>
            {
                var rates = new ResultTable("CBR rates",
                    [new("currency"), new("date", ColumnKind.Date), new("effective_date", ColumnKind.Date), new("nominal", ColumnKind.Number),
                        new("value", ColumnKind.Number), new("unit_rate", ColumnKind.Number), new("is_final"), new("source")],
                    r.Rates.Select(x => (IReadOnlyList<string>)[x.Currency, x.Date, x.EffectiveDate, Views.Int(x.Nominal), x.Value, x.UnitRate,
                        x.IsFinal ? "true" : "false", x.Source]).ToArray());
                var missing = new ResultTable("Days without a known rate",
                    [new("currency"), new("date", ColumnKind.Date), new("reason"), new("message")],
                    r.Missing.Select(m => (IReadOnlyList<string>)[m.Currency, m.Date, m.Error?.Reason ?? "", m.Error?.Message ?? ""]).ToArray());
                return new CommandView(r, r.Missing.Count == 0 ? [rates] : [rates, missing],
                    r.Missing.Count == 0 ? [] : [$"{r.Missing.Count} day(s) have no known rate"]);
            },
            r => r.Missing.Count == 0 ? ExitCodes.Ok : ExitCodes.ItemsFailed);
        return command;
    }

    public static Command Venues(CommandRunner runner)
    {
        var command = new Command("venues", "Venues, their pairs and the trading days held (what a month-end run can value)");
        runner.SetUnary(command,
            (_, client, options, ct) => client.Quotes.ListVenuesAsync(new ListVenuesRequest(), options).ResponseAsync,
            (r, _) => new CommandView(r, new ResultTable("Venues",
                [new("venue"), new("pair"), new("first_date", ColumnKind.Date), new("last_date", ColumnKind.Date), new("day_convention"),
                    new("fns_listed"), new("upstream_enabled")],
                r.Venues.SelectMany(v => v.Pairs.Select(p => (IReadOnlyList<string>)[v.Venue_, $"{p.Base}/{p.Quote}", p.FirstDate, p.LastDate,
                    v.DayConvention, v.FnsListed ? "true" : "false", v.UpstreamEnabled ? "true" : "false"])).ToArray())));
        return command;
    }
}
