using System.CommandLine;
using System.Globalization;
using Calc.Cli.Income;
using Calc.Domain.Rules;

namespace Calc.Cli.Commands;

/// <summary>
/// <c>calc income report</c>: the monthly mining report (totals, and the detail lines per month, asset, operation
/// type and wallet address or pool) rebuilt from an income.csv of <c>calc income recognize</c>, without calling the
/// server: the same sums, the same rule and the same due dates (embedded production calendar).
/// </summary>
internal static class IncomeReportCommand
{
    public static Command Report(CommandRunner runner)
    {
        var input = new Option<FileInfo>("--in") { Description = "income.csv written by calc income recognize", Required = true };
        var report = new Option<FileInfo?>("--report") { Description = "Monthly totals CSV (as recognize --report)" };
        var detail = new Option<FileInfo?>("--detail") { Description = "Report lines CSV (as recognize --report-detail)" };
        var command = new Command("report", "Rebuild the monthly mining report and its detail lines from an income.csv (no server call)")
        {
            input, report, detail,
        };
        runner.SetAction(command, (i, cancellationToken) =>
        {
            var file = i.Get(input);
            if (!file.Exists)
            {
                throw new CliException($"{file.FullName}: no such file");
            }

            if (i.Get(report) is null && i.Get(detail) is null)
            {
                throw new CliException("nothing to write: give --report and/or --detail");
            }

            var (totals, lines) = MonthlyReport.Rebuild(file, RuleSetLoader.LoadEmbedded());
            cancellationToken.ThrowIfCancellationRequested();
            if (i.Get(report) is { } reportFile)
            {
                MonthlyReport.Write(reportFile.FullName, totals, i.CsvDialect);
            }

            if (i.Get(detail) is { } detailFile)
            {
                MonthlyReport.WriteDetail(detailFile.FullName, lines, i.CsvDialect);
            }

            i.Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"calc: {totals.Count} monthly total(s), {lines.Count} report line(s) from {file.Name}"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
