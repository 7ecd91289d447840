namespace Calc.Adapters.Exchanges.Tests;

/// <summary>A clock whose wall time the test sets; timers and timestamps stay real.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
