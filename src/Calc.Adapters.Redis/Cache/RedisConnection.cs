using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Calc.Adapters.Redis.Cache;

/// <summary>
/// Reads <c>Redis__Configuration</c> with StackExchange.Redis's own parser and opens the process's multiplexer.
/// Calc changes only what the string leaves unsaid, and says so in the README: <c>abortConnect</c> defaults to
/// false (Redis down never stops startup), <c>syncTimeout</c>/<c>asyncTimeout</c> to 1000 ms (a miss is cheaper
/// than a wait; StackExchange.Redis's default is 5000 ms).
/// </summary>
public static class RedisConnection
{
    /// <summary>Command timeout when the configuration names none.</summary>
    public const int DefaultTimeoutMs = 1000;

    /// <summary>Parses a StackExchange.Redis configuration string; a malformed one throws (a configuration error).</summary>
    public static ConfigurationOptions Parse(string configuration, string? trustIssuerPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        if (!Mentions(configuration, "abortConnect"))
        {
            options.AbortOnConnectFail = false;
        }

        if (!Mentions(configuration, "syncTimeout"))
        {
            options.SyncTimeout = DefaultTimeoutMs;
        }

        if (!Mentions(configuration, "asyncTimeout"))
        {
            options.AsyncTimeout = DefaultTimeoutMs;
        }

        if (!string.IsNullOrWhiteSpace(trustIssuerPath))
        {
            options.TrustIssuer(trustIssuerPath); // a private CA: the server certificate must chain to it
        }

        return options;
    }

    /// <summary>
    /// Connects (the first attempt is awaited, at most <c>connectTimeout</c>; with <c>abortConnect=false</c> a
    /// failure leaves a multiplexer that keeps retrying in the background).
    /// </summary>
    public static ConnectionMultiplexer Connect(ConfigurationOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        RedisCacheLog.Starting(logger, options.ToString(includePassword: false));
        return ConnectionMultiplexer.Connect(options);
    }

    private static bool Mentions(string configuration, string key) =>
        configuration.Split(',').Any(part => part.TrimStart().StartsWith(key + "=", StringComparison.OrdinalIgnoreCase));
}
