namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>
/// Waits for a counter to start moving and then stop: the way a flow-control test learns that a sender is
/// held back, without guessing how long a loaded machine needs to set up the connection.
/// </summary>
public static class Settle
{
    /// <summary>
    /// The counter's value once it is at least one and has not changed for <paramref name="quietMs"/>;
    /// gives up (returning the current value, which the caller's assertion judges) after <paramref name="timeoutMs"/>.
    /// </summary>
    public static async Task<int> WhenStableAsync(Func<int> read, int quietMs = 500, int timeoutMs = 20_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        var last = read();
        var since = Environment.TickCount64;
        while (Environment.TickCount64 < deadline)
        {
            await Task.Delay(50);
            var now = read();
            if (now != last)
            {
                last = now;
                since = Environment.TickCount64;
            }
            else if (now > 0 && Environment.TickCount64 - since >= quietMs)
            {
                return now;
            }
        }

        return read();
    }
}
