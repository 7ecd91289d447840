namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>
/// A test that needs a real <c>redis-server</c> on PATH. Without one it is skipped with a clear message —
/// except when <c>CI=true</c>, where it runs and fails, so CI can never pass by silently skipping.
/// </summary>
internal sealed class RedisFactAttribute : FactAttribute
{
    public const string MissingMessage =
        "redis-server is not on PATH (Debian: apt-get install redis-server); Redis integration test skipped";

    public RedisFactAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && RedisServer.FindExecutable() is null)
        {
            Skip = MissingMessage;
        }
    }
}
