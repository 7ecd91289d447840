using Calc.Adapters.Redis.Client;

namespace Calc.Adapters.Redis.Tests.Infrastructure;

internal static class TestClients
{
    /// <summary>Connects and waits for the connection (tests only: production never waits).</summary>
    public static async Task<RedisClient> ConnectAsync(string configuration, Action<RedisOptions>? configure = null)
    {
        var options = RedisOptions.Parse(configuration);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
        configure?.Invoke(options);
        var client = RedisClient.Start(options);
        try
        {
            await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10));
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
