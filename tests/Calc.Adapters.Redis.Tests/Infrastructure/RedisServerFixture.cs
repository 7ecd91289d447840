namespace Calc.Adapters.Redis.Tests.Infrastructure;

/// <summary>One shared server per test class (tests that kill the server start their own).</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    internal RedisServer Server => _server ?? throw new InvalidOperationException(RedisFactAttribute.MissingMessage);

    public async Task InitializeAsync()
    {
        if (RedisServer.FindExecutable() is not null
            || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            _server = await RedisServer.StartNewAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
