using Calc.Adapters.Redis.Client;

namespace Calc.Adapters.Redis.Tests.Infrastructure;

internal static class TestClients
{
    /// <summary>Command timeout for tests that are not about timeouts (the production default is 1 s).</summary>
    public static readonly TimeSpan GenerousTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connects and waits for the connection (tests only: production never waits).</summary>
    public static async Task<RedisClient> ConnectAsync(string configuration, Action<RedisOptions>? configure = null)
    {
        var options = RedisOptions.Parse(configuration);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
        if (!configuration.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase)
            && !configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            // tests that are not about timeouts must not hit the 1 s production default on a loaded CI machine
            options.CommandTimeout = GenerousTimeout;
        }

        configure?.Invoke(options);
        var client = RedisClient.Start(options);
        try
        {
            await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>Collects unobserved task exceptions raised while the scope is open (after forcing finalizers).</summary>
    public sealed class UnobservedTaskExceptions : IDisposable
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
}
