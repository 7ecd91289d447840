using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Calc.Cli.Income;

/// <summary>
/// Progress of a run on stderr: a live bar with rate and ETA on a terminal, a plain line every few
/// seconds when redirected (CI logs, cron), nothing with --quiet. Position is by bytes of the input.
/// </summary>
internal sealed class RunProgress : IRunProgress
{
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _rows;
    private long _bytes;

    public RunProgress(long totalBytes) => _totalBytes = Math.Max(1, totalBytes);

    public long Rows => Interlocked.Read(ref _rows);

    public TimeSpan Elapsed => _clock.Elapsed;

    public double Fraction => Math.Min(1.0, (double)Interlocked.Read(ref _bytes) / _totalBytes);

    public void Advance(long rowsWritten, long bytesRead)
    {
        Interlocked.Exchange(ref _rows, rowsWritten);
        Interlocked.Exchange(ref _bytes, bytesRead);
    }

    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Rows / Elapsed.TotalSeconds : 0;

    public TimeSpan? Remaining
    {
        get
        {
            double f = Fraction;
            return f is > 0.001 and < 1 ? TimeSpan.FromSeconds(Elapsed.TotalSeconds * (1 - f) / f) : null;
        }
    }

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"calc: {Rows:N0} rows ({Fraction:P0}), {RowsPerSecond:N0} rows/s, elapsed {Elapsed:hh\\:mm\\:ss}, ETA {(Remaining is { } r ? r.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--")}");

    /// <summary>Runs <paramref name="work"/> while showing progress in the console's mode.</summary>
    public async Task<T> ShowWhileAsync<T>(CliConsole console, bool quiet, Func<Task<T>> work)
    {
        if (quiet)
        {
            return await work();
        }

        if (!console.ErrorIsTerminal)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
            var task = work();
            while (await Task.WhenAny(task, timer.WaitForNextTickAsync().AsTask()) != task)
            {
                await console.Error.WriteLineAsync(Line());
            }

            return await task;
        }

        return await console.AnsiError.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask("reading", maxValue: 1000);
                var task = work();
                while (await Task.WhenAny(task, Task.Delay(200)) != task)
                {
                    bar.Value = Fraction * 1000;
                    bar.Description = string.Create(CultureInfo.InvariantCulture, $"{Rows:N0} rows · {RowsPerSecond:N0}/s");
                }

                bar.Value = Fraction * 1000;
                bar.Description = string.Create(CultureInfo.InvariantCulture, $"{Rows:N0} rows · {RowsPerSecond:N0}/s");
                return await task;
            });
    }
}
