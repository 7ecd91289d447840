namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>
/// Waits for a condition instead of sleeping a fixed time: a loaded CI machine may need seconds for what
/// takes milliseconds on an idle one. The bound only turns a hang into a failure.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("still not true after " + Patience.TotalSeconds + " s: " + what);
            }

            await Task.Delay(10);
        }
    }
}
