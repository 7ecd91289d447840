using Calc.Adapters.Redis.Cache;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Calc.Adapters.Redis.Tests.Infrastructure;

internal static class TestClients
{
    /// <summary>Command timeout (ms) for tests that are not about timeouts (the production default is 1 s).</summary>
    public const int GenerousTimeoutMs = 30_000;

    /// <summary>A multiplexer for probing the server directly (tests only), connected before it is returned.</summary>
    public static async Task<ConnectionMultiplexer> ProbeAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.SyncTimeout = options.AsyncTimeout = GenerousTimeoutMs;
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>A cache on its own multiplexer, reconnecting quickly, connected before it is returned (production never waits).</summary>
    public static async Task<RedisQuoteCache> ConnectedCacheAsync(string configuration, ILogger<RedisQuoteCache> logger, TimeProvider? time = null)
    {
        if (!configuration.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            // tests that are not about timeouts must not hit the 1 s production default on a loaded CI machine
            configuration += ",syncTimeout=" + GenerousTimeoutMs + ",asyncTimeout=" + GenerousTimeoutMs;
        }

        var options = RedisConnection.Parse(configuration);
        options.ReconnectRetryPolicy = new LinearRetry(200);
        var cache = new RedisQuoteCache(await ConnectionMultiplexer.ConnectAsync(options), logger, time, ownsConnection: true);
        await Eventually.TrueAsync(() => cache.State == Application.Ports.CacheState.Connected, "the cache connects");
        return cache;
    }
}

/// <summary>Collects unobserved task exceptions raised while the scope is open (after forcing finalizers).</summary>
internal sealed class UnobservedTaskExceptions : IDisposable
{
    private readonly List<Exception> _seen = [];

    public UnobservedTaskExceptions()
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    public IReadOnlyList<Exception> Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        lock (_seen)
        {
            return [.. _seen];
        }
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        lock (_seen)
        {
            _seen.Add(e.Exception);
        }
    }
}
