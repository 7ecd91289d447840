using Calc.Cli.Income;

namespace Calc.Cli.Tests;

public class RunProgressTests
{
    [Fact]
    public void Line_HalfTheBytes_ShowsRowsPercentRateAndEta()
    {
        var progress = new RunProgress(totalBytes: 1000);

        progress.Advance(rowsWritten: 12345, bytesRead: 500);

        Assert.Matches(@"^calc: 12,345 rows \(50 ?%\), [\d,]+ rows/s, elapsed 00:00:\d\d, ETA \d\d:\d\d:\d\d$", progress.Line());
    }

    [Fact]
    public void Line_NothingReadYet_HasNoEta()
    {
        var progress = new RunProgress(totalBytes: 1000);

        Assert.EndsWith("ETA --:--:--", progress.Line(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowWhileAsync_Redirected_PrintsPlainLinesUntilDone()
    {
        var progress = new RunProgress(totalBytes: 100);
        using var error = new LineSignallingWriter();
        var console = new CliConsole(TextWriter.Null, error, errorIsTerminal: false, outputIsTerminal: false);

        // the work ends only once a progress line was printed while it ran (the line comes every 2 s); 60 s is a safety net
        int value = await progress.ShowWhileAsync(console, quiet: false, async () =>
        {
            progress.Advance(10, 50);
            await error.FirstLine.WaitAsync(TimeSpan.FromSeconds(60));
            return 7;
        });

        Assert.Equal(7, value);
        Assert.StartsWith("calc: 10 rows (50", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A StringWriter that signals when the first line was written.</summary>
    private sealed class LineSignallingWriter : StringWriter
    {
        private readonly TaskCompletionSource _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstLine => _firstLine.Task;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            _firstLine.TrySetResult();
        }

        public override Task WriteLineAsync(string? value)
        {
            base.WriteLine(value);
            _firstLine.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
