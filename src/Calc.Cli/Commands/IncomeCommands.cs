using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Calc.Cli.Csv;
using Calc.Cli.Hosting;
using Calc.Cli.Income;
using Calc.Cli.Output;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary><c>calc income recognize</c>: the month-end run.</summary>
internal static class IncomeCommands
{
    public static Command Income(CommandRunner runner)
    {
        var command = new Command("income", "Income recognition of mining receipts");
        command.Add(Recognize(runner));
        command.Add(IncomeReportCommand.Report(runner));
        return command;
    }

    private static Command Recognize(CommandRunner runner)
    {
        var input = new Option<FileInfo>("--in") { Description = "Receipts CSV (1C/ERP export; see README for columns)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Per-receipt results CSV (every row: ok, or error with reason)", Required = true };
        var report = new Option<FileInfo?>("--report") { Description = "Monthly mining report CSV (totals per month and asset, with due dates)" };
        var reportDetail = new Option<FileInfo?>("--report-detail")
        {
            Description = "Monthly report lines CSV (per month, asset, operation type, wallet address or pool: coins, receipts, RUB, tx ids)",
        };
        var venue = QuoteCommands.Venue();
        var currency = QuoteCommands.Currency();
        var provisional = QuoteCommands.Provisional();
        var zone = new Option<string>("--zone")
        {
            Description = "IANA time zone of local times in the file and of income dates",
            DefaultValueFactory = _ => "Europe/Moscow",
        };
        var usdt = new Option<string?>("--usdt-policy") { Description = "usd (value USDT at the CBR USD rate) or reject; default: the server's" };
        usdt.AcceptOnlyFromAmong("usd", "reject");
        var encoding = new Option<string?>("--encoding") { Description = "Input encoding: auto (default), utf-8, windows-1251" };
        var delimiter = new Option<string?>("--delimiter") { Description = "Input delimiter: auto (default), ',', ';' or tab" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output" };
        var attempts = new Option<int>("--stream-attempts")
        {
            Description = "Calls in a row that may fail (UNAVAILABLE, connection lost) before the run gives up; each resumes the stream "
                + "where its results stopped, on another replica when --server lists several. 1 = do not resume",
            DefaultValueFactory = _ => StreamResumePolicy.Default.MaxAttempts,
        };
        attempts.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--stream-attempts must be at least 1");
            }
        });
        var command = new Command("recognize", "Value a receipts file (streamed; any size) and write per-receipt income and the monthly report")
        {
            input, output, report, reportDetail, venue, currency, provisional, zone, usdt, encoding, delimiter, quiet, attempts,
        };
        runner.SetAction(command, async (i, cancellationToken) =>
        {
            var tz = FindZone(i.Get(zone));
            var policy = Views.Policy(i.Get(venue), i.Get(currency), i.Get(provisional));
            policy.TimeZone = tz.Id;
            policy.UsdtPolicy = i.Get(usdt) switch
            {
                "usd" => UsdtPolicy.TreatAsUsd,
                "reject" => UsdtPolicy.Reject,
                _ => UsdtPolicy.Unspecified,
            };
            var readOptions = new CsvReadOptions(i.Get(encoding), ParseDelimiter(i.Get(delimiter)));
            var inputFile = i.Get(input);
            CsvFile OpenPastHeader(List<string> header, out long headerLine)
            {
                var file = CsvFile.Open(inputFile.FullName, readOptions);
                if (!file.TryRead(header, out headerLine, out var headerError) || headerError is not null)
                {
                    file.Dispose();
                    throw new CliException($"{inputFile.Name}:1: {headerError ?? "the file is empty (a header row is required)"}");
                }

                return file;
            }

            var header = new List<string>();
            using var csv = OpenPastHeader(header, out long headerLine);

            var columns = ReceiptColumns.Map(header, inputFile.Name);
            if (columns.Ignored.Count > 0 && !i.Get(quiet))
            {
                i.Console.Error.WriteLine($"calc: ignoring column(s) {string.Join(", ", columns.Ignored)}");
            }

            var parser = new ReceiptParser(columns, tz) { HeaderWidth = header.Count };
            await using var connection = await i.ConnectAsync(cancellationToken);
            var progress = new RunProgress(csv.Length);
            IncomeRunResult result;
            int resumes = 0;
            using (var writer = new IncomeCsvWriter(OpenOutput(i.Get(output)), i.CsvDialect))
            {
                var run = new IncomeRun(csv, parser, writer, progress, new IncomeRunLimits())
                {
                    HeaderLine = headerLine,
                    Reopen = () => OpenPastHeader([], out _), // the same file, encoding and delimiter; the header is read again and skipped
                };
                var options = i.CallOptions(null, cancellationToken);
                var resume = StreamResumePolicy.Default with { MaxAttempts = i.Get(attempts) };
                void OnResume(StreamResume r)
                {
                    Interlocked.Increment(ref resumes);
                    i.Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"calc: the stream via {connection.Description} broke ({CallErrors.Describe(r.Cause)}); resuming from chunk {r.FromChunk} in {r.Delay.TotalSeconds:F1} s (call {r.Attempt}, at most {r.MaxAttempts} failing in a row)"));
                }

                result = await progress.ShowWhileAsync(i.Console, i.Get(quiet),
                    () => run.RunAsync(policy, (requests, ct) => ResumableIncomeStream.Call(connection.Client.Income, requests, run.ReplayAsync, options, resume, OnResume, ct),
                        cancellationToken));
            }

            result.Resumes = resumes;

            if (i.Get(report) is { } reportFile && result.Summary is { } summary)
            {
                MonthlyReport.Write(reportFile.FullName, summary.Totals, i.CsvDialect);
            }

            if (i.Get(reportDetail) is { } detailFile && result.Summary is { } finished)
            {
                MonthlyReport.WriteDetail(detailFile.FullName, finished.ReportLines, i.CsvDialect);
            }

            PrintSummary(i, result, progress, connection.Description);
            return ExitCode(result);
        });
        return command;
    }

    private static int ExitCode(IncomeRunResult result) => result.StoppedAs switch
    {
        "interrupted" => ExitCodes.Interrupted,
        "aborted" => result.StopException is Grpc.Core.RpcException rpc ? CallErrors.ExitCode(rpc)
            : result.StopException is HttpRequestException ? ExitCodes.Unavailable : ExitCodes.CallFailed,
        _ => result.Failed > 0 ? ExitCodes.ItemsFailed : ExitCodes.Ok,
    };

    private static Stream OpenOutput(FileInfo file)
    {
        try
        {
            return new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{file.FullName}: {e.Message}");
        }
    }

    private static void PrintSummary(Invocation i, IncomeRunResult result, RunProgress progress, string server)
    {
        var console = i.Console;
        double seconds = progress.Elapsed.TotalSeconds;
        if (i.Format == OutputFormat.Json)
        {
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("rows", result.RowsWritten);
                json.WriteNumber("recognized", result.Recognized);
                json.WriteNumber("failed", result.Failed);
                json.WriteString("status", result.StoppedAs ?? "completed");
                json.WriteNumber("stream_resumes", result.Resumes);
                if (result.StopMessage is not null)
                {
                    json.WriteString("message", result.StopMessage);
                }

                json.WriteNumber("elapsed_seconds", Math.Round(seconds, 3));
                json.WriteStartArray("first_errors");
                foreach (var (line, id, reason, message) in result.FirstErrors)
                {
                    json.WriteStartObject();
                    json.WriteNumber("line", line);
                    json.WriteString("receipt_id", id);
                    json.WriteString("reason", reason);
                    json.WriteString("message", message);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WritePropertyName("summary");
                json.WriteRawValue(result.Summary is null ? "null" : ViewRenderer.FormatJson(result.Summary));
                json.WriteEndObject();
            }

            console.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            console.Out.Flush();
        }
        else if (i.Format == OutputFormat.Csv)
        {
            ViewRenderer.WriteCsv(MonthlyReport.Table(result.Summary?.Totals ?? []), i.CsvDialect, console.Out);
            console.Out.Flush();
        }
        else if (result.Summary is not null)
        {
            ViewRenderer.Render(new CommandView(null, MonthlyReport.Table(result.Summary.Totals)), OutputFormat.Table, i.CsvDialect, console);
        }

        var err = console.Error;
        foreach (var (line, id, reason, message) in result.FirstErrors)
        {
            err.WriteLine($"calc: line {line} ({id}): {reason}: {message}");
        }

        if (result.Failed > result.FirstErrors.Count)
        {
            err.WriteLine($"calc: ... and {result.Failed - result.FirstErrors.Count} more failed row(s); see status=error rows in the output");
        }

        err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calc: {result.RowsWritten:N0} rows: {result.Recognized:N0} recognised, {result.Failed:N0} failed; {seconds:F1} s ({(seconds > 0 ? result.RowsWritten / seconds : 0):N0} rows/s) via {server}"));
        if (result.Resumes > 0)
        {
            err.WriteLine($"calc: the stream was lost and resumed {result.Resumes} time(s)");
        }

        if (result.StopMessage is not null)
        {
            err.WriteLine("calc: " + result.StopMessage);
        }

        if (result.Recognized == 0 && result.PriceNotFound > 0)
        {
            err.WriteLine("calc: no row could be valued (PRICE_NOT_FOUND): " + i.NoPriceHint());
        }

        err.Flush();
    }

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new CliException($"--zone '{id}' is not a known IANA time zone (e.g. Europe/Moscow)");
        }
    }

    private static char? ParseDelimiter(string? text) => text switch
    {
        null or "" or "auto" => null,
        "," or "comma" => ',',
        ";" or "semicolon" => ';',
        "\\t" or "\t" or "tab" => '\t',
        _ => throw new CliException($"--delimiter '{text}' is not one of auto, ',', ';', tab"),
    };
}
