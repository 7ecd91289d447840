using System.Diagnostics;

namespace Calc.Server.Hosting;

/// <summary>
/// Counts events that a client can cause at any rate (refused connections and calls) so that they are logged as
/// one line per period rather than one line each: the first at once, then at most one per 10 seconds, and what
/// is still counted when the owner's timer next asks (<see cref="TryTake"/>), so the tail is not lost.
/// </summary>
internal sealed class LogSummary
{
    private static readonly long Period = Stopwatch.Frequency * 10;

    private long _count;
    private long _last = Stopwatch.GetTimestamp() - Period;
    private string _latest = "";

    /// <summary>Counts one event about <paramref name="subject"/> (a caller or an address).</summary>
    public void Count(string subject)
    {
        _latest = subject;
        Interlocked.Increment(ref _count);
    }

    /// <summary>True when a line is due: something was counted and the period since the last line has passed.</summary>
    public bool TryTake(out long count, out string latest)
    {
        count = 0;
        latest = "";
        long last = Interlocked.Read(ref _last);
        long now = Stopwatch.GetTimestamp();
        if (Interlocked.Read(ref _count) == 0 || now - last < Period || Interlocked.CompareExchange(ref _last, now, last) != last)
        {
            return false;
        }

        count = Interlocked.Exchange(ref _count, 0);
        latest = _latest;
        return count > 0;
    }
}
