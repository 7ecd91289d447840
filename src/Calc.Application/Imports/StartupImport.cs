using Calc.Application.MarketData;
using Calc.Domain.Errors;

namespace Calc.Application.Imports;

/// <summary>What to do with a malformed row of an import file at startup.</summary>
public enum ImportErrorMode
{
    /// <summary>Stop startup, naming the file, line and reason (the default).</summary>
    Fail,
    /// <summary>Skip the row, import the rest, and report every skipped row in the log.</summary>
    SkipAndReport,
}

/// <summary>Loads <c>closes.csv</c> and <c>cbr-rates.csv</c> from a directory into the store.</summary>
public static class StartupImport
{
    public const string ClosesFile = "closes.csv";
    public const string CbrRatesFile = "cbr-rates.csv";

    /// <summary>
    /// Imports whichever of the two files exist in <paramref name="directory"/>, each row checked by
    /// <paramref name="rules"/> (the checks of the import methods), and queues the values each file added to the
    /// store (or found already there) for <paramref name="writeThrough"/>, when given, to share through the cache.
    /// Throws <see cref="CalcException"/> when the directory is missing or holds neither file, or (in
    /// <see cref="ImportErrorMode.Fail"/>) on the first file with a bad row.
    /// </summary>
    public static ImportReport Run(MarketDataStore store, string directory, ImportErrorMode mode, ImportRules rules, ImportWriteThrough? writeThrough = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(store);
        if (!Directory.Exists(directory))
        {
            throw new CalcException(CalcError.Invalid("IMPORT_PATH_NOT_FOUND", "MarketData:ImportPath",
                $"MarketData:ImportPath '{directory}' is not a directory"));
        }

        string closesPath = Path.Combine(directory, ClosesFile);
        string ratesPath = Path.Combine(directory, CbrRatesFile);
        if (!File.Exists(closesPath) && !File.Exists(ratesPath))
        {
            throw new CalcException(CalcError.Invalid("IMPORT_PATH_EMPTY", "MarketData:ImportPath",
                $"MarketData:ImportPath '{directory}' holds neither {ClosesFile} nor {CbrRatesFile}"));
        }

        var report = ImportReport.Empty;
        var share = new List<Action<ImportWriteThrough>>(); // only once the whole import has succeeded
        if (File.Exists(ratesPath))
        {
            using var reader = new StreamReader(ratesPath);
            var parsed = MarketDataCsv.ParseCbrRates(reader, ratesPath, rules);
            Check(parsed.Errors, mode);
            var stored = store.ImportCbrRates(parsed.Rows, overwrite: false, ratesPath);
            var accepted = ImportedValues.Accepted(parsed.Rows, stored, ratesPath);
            share.Add(w => w.EnqueueRates(accepted, ratesPath));
            report = report.Plus(stored).Plus(new ImportReport(0, 0, 0, parsed.Errors));
        }

        if (File.Exists(closesPath))
        {
            using var reader = new StreamReader(closesPath);
            var parsed = MarketDataCsv.ParseCloses(reader, closesPath, rules);
            Check(parsed.Errors, mode);
            var stored = store.ImportCloses(parsed.Rows, overwrite: false, closesPath);
            var accepted = ImportedValues.Accepted(parsed.Rows, stored, closesPath);
            share.Add(w => w.EnqueueCloses(accepted, closesPath));
            report = report.Plus(stored).Plus(new ImportReport(0, 0, 0, parsed.Errors));
        }

        if (mode == ImportErrorMode.Fail && report.Rejected.Count > 0)
        {
            var e = report.Rejected[0];
            throw new CalcException(e.Error with { Message = $"{e.Location}: {e.Error.Message}" });
        }

        if (writeThrough is not null)
        {
            foreach (var enqueue in share)
            {
                enqueue(writeThrough);
            }
        }

        return report;
    }

    private static void Check(IReadOnlyList<ImportRowError> errors, ImportErrorMode mode)
    {
        if (mode == ImportErrorMode.Fail && errors.Count > 0)
        {
            var e = errors[0];
            throw new CalcException(e.Error with
            {
                Message = $"{e.Location}: {e.Error.Message} ({errors.Count} bad row(s) in all; set MarketData__ImportErrors=SkipAndReport to skip them)",
            });
        }
    }
}
