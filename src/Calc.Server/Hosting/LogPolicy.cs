using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Calc.Server.Hosting;

/// <summary>
/// What Calc logs at its default configuration: one event per call at most (the transport's call-completed event
/// with method, status, duration and request id; successful calls only at Debug), start-up and shutdown lines,
/// and warnings. The per-request Information lines of ASP.NET Core hosting, routing and Kestrel ("Request
/// starting", "Executing endpoint", …; the first one carries the query string) and grpc-dotnet's ("Error status
/// code … raised") are raised to Warning by <see cref="DefaultLevels"/>, which hold without appsettings.json (a dll
/// started with another content root, the CLI's in-process server) and which any configuration source overrides.
/// Configured API keys never reach the console: <see cref="SecretRedactingLoggerProvider"/> replaces them in every
/// message, state value and exception text.
/// </summary>
public static class LogPolicy
{
    /// <summary>Replaces a configured API key wherever it would appear in a log line.</summary>
    public const string Redacted = "[REDACTED]";

    /// <summary>Levels below every other configuration source (appsettings.json, environment, command line).</summary>
    public static IReadOnlyDictionary<string, string?> DefaultLevels { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:Grpc"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    /// <summary>Adds <see cref="DefaultLevels"/> as the lowest-precedence configuration source.</summary>
    public static void AddDefaultLevels(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLevels });
    }

    /// <summary>
    /// Wraps the console provider registered so far in a <see cref="SecretRedactingLoggerProvider"/> hiding
    /// <paramref name="secrets"/> (no wrapping when there are none).
    /// </summary>
    public static void RedactConsole(ILoggingBuilder logging, IReadOnlyCollection<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
        {
            return;
        }

        var console = logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList();
        foreach (var descriptor in console)
        {
            logging.Services.Remove(descriptor);
        }

        if (console.Count > 0)
        {
            logging.Services.AddSingleton<ILoggerProvider>(sp => new SecretRedactingLoggerProvider(
                new ConsoleLoggerProvider(sp.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), sp.GetServices<ConsoleFormatter>()),
                secrets));
        }
    }
}

/// <summary>
/// A logger provider that passes every entry to <paramref name="inner"/> with each of <paramref name="secrets"/>
/// replaced by <see cref="LogPolicy.Redacted"/> in the message, the state values and the exception text. Entries
/// that contain none are passed unchanged (no copy). It stands in for the console provider, under its alias, so
/// <c>Logging:Console:…</c> settings keep applying.
/// </summary>
[ProviderAlias("Console")]
public sealed class SecretRedactingLoggerProvider(ILoggerProvider inner, IReadOnlyCollection<string> secrets) : ILoggerProvider, ISupportExternalScope
{
    private readonly string[] _secrets = [.. secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName), this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(scopeProvider);
        }
    }

    public void Dispose() => inner.Dispose();

    /// <summary><paramref name="text"/> with every secret replaced, or the same instance when it holds none.</summary>
    internal string Redact(string text)
    {
        foreach (string secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, LogPolicy.Redacted, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private sealed class Logger(ILogger inner, SecretRedactingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            string message = formatter(state, exception);
            string redacted = owner.Redact(message);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            var redactedValues = values is null ? null : RedactValues(values);
            string? exceptionText = exception?.ToString();
            string? redactedException = exceptionText is null ? null : owner.Redact(exceptionText);
            if (ReferenceEquals(message, redacted) && redactedValues is null && ReferenceEquals(exceptionText, redactedException))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var entry = new RedactedState(redacted, redactedValues ?? values ?? []);
            var cleanException = ReferenceEquals(exceptionText, redactedException) ? exception : new RedactedException(redactedException!);
            inner.Log(logLevel, eventId, entry, cleanException, static (s, _) => s.Message);
        }

        /// <summary>A copy of <paramref name="values"/> with the secrets replaced, or null when none holds one.</summary>
        private List<KeyValuePair<string, object?>>? RedactValues(IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            List<KeyValuePair<string, object?>>? copy = null;
            for (int i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                if (value is null or bool or int or long or double or decimal or Enum)
                {
                    continue;
                }

                string text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                string redacted = owner.Redact(text);
                if (ReferenceEquals(text, redacted))
                {
                    continue;
                }

                copy ??= [.. values];
                copy[i] = new KeyValuePair<string, object?>(key, redacted);
            }

            return copy;
        }
    }

    /// <summary>A log state whose values and message have been redacted; formats as the message.</summary>
    private sealed class RedactedState(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }

    /// <summary>Stands in for an exception whose text held a secret: prints the redacted text.</summary>
    private sealed class RedactedException(string text) : Exception(text)
    {
        public override string ToString() => Message;
    }
}
