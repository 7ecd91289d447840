namespace Calc.Transport.Grpc.Protocol;

/// <summary>
/// The <c>grpc-timeout</c> header (PROTOCOL-HTTP2.md "Timeout"): 1 to 8 ASCII digits followed by one unit,
/// H hours, M minutes, S seconds, m milliseconds, u microseconds, n nanoseconds. Nothing else is accepted.
/// </summary>
internal static class TimeoutHeader
{
    public const int MaxDigits = 8;

    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length < 2 || value.Length > MaxDigits + 1)
        {
            return false;
        }

        long amount = 0;
        foreach (var c in value[..^1])
        {
            if (c < '0' || c > '9')
            {
                return false;
            }

            amount = (amount * 10) + (c - '0');
        }

        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * TimeSpan.TicksPerMicrosecond; break;
            // a tick is 100 ns; round up so that 1n is a (tiny) positive timeout, not "no time at all"
            case 'n': ticks = (amount + 99) / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Connect's <c>connect-timeout-ms</c>: 1 to 10 ASCII digits of milliseconds.</summary>
    public static bool TryParseConnect(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length is < 1 or > 10)
        {
            return false;
        }

        long ms = 0;
        foreach (var c in value)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }

            ms = (ms * 10) + (c - '0');
        }

        timeout = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
