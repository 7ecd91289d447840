namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>The theory form of <see cref="RedisFactAttribute"/>.</summary>
internal sealed class RedisTheoryAttribute : TheoryAttribute
{
    public RedisTheoryAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && RedisServer.FindExecutable() is null)
        {
            Skip = RedisFactAttribute.MissingMessage;
        }
    }
}
