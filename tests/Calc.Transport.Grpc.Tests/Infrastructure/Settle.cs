using System.Diagnostics;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>
/// Waits for a progress counter to stop moving, instead of sleeping a fixed time and hoping the other side got
/// as far as it will on a loaded machine.
/// </summary>
public static class Settle
{
    // a stalled test process (not the sender) must not count as quiet: the value is re-read this many times too
    private const int MinSamples = 10;

    /// <summary>
    /// The value of <paramref name="read"/> once it is positive and has not changed for <paramref name="quiet"/>
    /// (default 1 s) and over at least 10 reads. Gives up after <paramref name="deadline"/> (default 30 s) with a TimeoutException that says
    /// what it saw, so a test never asserts on a value that was still moving.
    /// </summary>
    public static async Task<int> WhenStableAsync(Func<int> read, TimeSpan? quiet = null, TimeSpan? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        var quietFor = quiet ?? TimeSpan.FromSeconds(1);
        var giveUp = deadline ?? TimeSpan.FromSeconds(30);
        var total = Stopwatch.StartNew();
        var last = read();
        var unchanged = Stopwatch.StartNew();
        var samples = 0;
        while (total.Elapsed < giveUp)
        {
            await Task.Delay(50);
            var now = read();
            if (now != last)
            {
                last = now;
                unchanged.Restart();
                samples = 0;
            }
            else if (++samples >= MinSamples && now > 0 && unchanged.Elapsed >= quietFor)
            {
                return now;
            }
        }

        throw new TimeoutException($"the value did not settle within {giveUp} (last {last})");
    }
}
