using System.CommandLine;
using System.Globalization;
using Calc.Cli.Csv;
using Calc.Cli.Output;
using Grpc.Core;
using Calc.V1;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Cli.Commands;

/// <summary>
/// <c>calc import closes|rates --in FILE</c>: load daily closes or CBR rates from the client's own source
/// (the same CSV layout as the server's startup import), in calls of at most 10,000 rows. Needs an API key
/// with write access when the server has keys configured.
/// </summary>
internal static class ImportCommands
{
    private const int BatchSize = 10_000;

    public static Command Import(CommandRunner runner)
    {
        var command = new Command("import", "Load daily closes or CBR rates from your own source (needs a write API key when keys are configured)");
        command.Add(Build(runner, "closes", "Daily closes: venue, base, quote, date, close", ["venue", "base", "quote", "date", "close"],
            (f, line) => new ClosingPrice { Venue = f[0].ToLowerInvariant(), Base = f[1].ToUpperInvariant(), Quote = f[2].ToUpperInvariant(), Date = Date(f[3], line), Close = Dec(f[4], line) },
            async (client, rows, overwrite, options, ct) =>
            {
                var request = new ImportClosingPricesRequest { Overwrite = overwrite };
                request.Prices.AddRange(rows);
                var r = await client.ImportClosingPricesAsync(request, options);
                return (r.Added, r.Unchanged, r.Replaced, r.Rejected);
            }));
        command.Add(Build(runner, "rates", "CBR rates by effective date: date, char_code, nominal, value", ["date", "char_code", "nominal", "value"],
            (f, line) => new CbrRateRow
            {
                EffectiveDate = Date(f[0], line),
                Currency = f[1].ToUpperInvariant(),
                Nominal = int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw new CliException($"{line}: nominal '{f[2]}' is not a whole number"),
                Value = Dec(f[3], line),
            },
            async (client, rows, overwrite, options, ct) =>
            {
                var request = new ImportCbrRatesRequest { Overwrite = overwrite };
                request.Rates.AddRange(rows);
                var r = await client.ImportCbrRatesAsync(request, options);
                return (r.Added, r.Unchanged, r.Replaced, r.Rejected);
            }));
        return command;
    }

    private delegate Task<(int Added, int Unchanged, int Replaced, IList<ImportRejection> Rejected)> ImportCall<T>(
        QuoteService.QuoteServiceClient client, List<T> rows, bool overwrite, CallOptions options, CancellationToken cancellationToken);

    private static Command Build<T>(CommandRunner runner, string name, string description, string[] columns, Func<string[], long, T> parse, ImportCall<T> call)
    {
        var input = new Option<FileInfo>("--in") { Description = "CSV file with a header row: " + string.Join(", ", columns), Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace stored values that differ instead of rejecting the row" };
        var command = new Command(name, description) { input, overwrite };
        runner.SetAction(command, async (i, ct) =>
        {
            var file = i.Get(input);
            using var csv = CsvFile.Open(file.FullName, CsvReadOptions.Auto);
            var fields = new List<string>();
            if (!csv.TryRead(fields, out _, out _))
            {
                throw new CliException($"{file.Name}:1: the file is empty (a header row is required)");
            }

            var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
            int[] at = columns.Select(c => header.IndexOf(c)).ToArray();
            if (at.Contains(-1))
            {
                throw new CliException($"{file.Name}:1: missing column(s) {string.Join(", ", columns.Where((_, k) => at[k] < 0))} (expected {string.Join(", ", columns)})");
            }

            await using var connection = await i.ConnectAsync(ct);
            int added = 0, unchanged = 0, replaced = 0;
            var rejected = new List<IReadOnlyList<string>>();
            var batch = new List<T>(BatchSize);
            var lines = new List<long>(BatchSize);

            async Task Send()
            {
                var (a, u, r, rej) = await call(connection.Client.Quotes, batch, i.Get(overwrite), i.CallOptions(CommandRunner.DefaultUnaryTimeout, ct), ct);
                added += a;
                unchanged += u;
                replaced += r;
                rejected.AddRange(rej.Select(x => (IReadOnlyList<string>)[Views.Int(lines[x.Index]), x.Error.Code, x.Error.Reason, x.Error.Message]));
                batch.Clear();
                lines.Clear();
            }

            while (csv.TryRead(fields, out long line, out string? error))
            {
                if (error is not null)
                {
                    throw new CliException($"{file.Name}:{line}: {error}");
                }

                var values = at.Select(k => k < fields.Count ? fields[k].Trim() : "").ToArray();
                try
                {
                    batch.Add(parse(values, line));
                }
                catch (CliException e)
                {
                    throw new CliException($"{file.Name}:{e.Message}");
                }

                lines.Add(line);
                if (batch.Count == BatchSize)
                {
                    await Send();
                }
            }

            if (batch.Count > 0)
            {
                await Send();
            }

            var summary = Views.KeyValues($"Import of {file.Name}",
                ("added", Views.Int(added)), ("unchanged", Views.Int(unchanged)), ("replaced", Views.Int(replaced)), ("rejected", Views.Int(rejected.Count)));
            var rejections = new ResultTable("Rejected rows", [new("line", ColumnKind.Number), new("code"), new("reason"), new("message")], rejected);
            var json = new Struct();
            json.Fields["added"] = Value.ForNumber(added);
            json.Fields["unchanged"] = Value.ForNumber(unchanged);
            json.Fields["replaced"] = Value.ForNumber(replaced);
            json.Fields["rejected"] = Value.ForList(rejected.Select(r => Value.ForStruct(new Struct
            {
                Fields =
                {
                    ["line"] = Value.ForNumber(double.Parse(r[0], CultureInfo.InvariantCulture)),
                    ["code"] = Value.ForString(r[1]),
                    ["reason"] = Value.ForString(r[2]),
                    ["message"] = Value.ForString(r[3]),
                },
            })).ToArray());
            ViewRenderer.Render(new CommandView(json, rejected.Count > 0 ? [summary, rejections] : [summary], []), i.Format, i.CsvDialect, i.Console);
            return rejected.Count > 0 ? ExitCodes.ItemsFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static string Date(string text, long line) =>
        Input.TryNormalizeDate(text, out var iso) ? iso : throw new CliException($"{line}: date '{text}' is not a date (YYYY-MM-DD or dd.MM.yyyy)");

    private static string Dec(string text, long line) =>
        Input.TryNormalizeDecimal(text, out var value) ? value : throw new CliException($"{line}: '{text}' is not a decimal number");
}
