using Calc.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calc.Server.Tests;

/// <summary>
/// <see cref="LogPolicy"/> in process: the default levels hold without appsettings.json and yield to configuration,
/// and <see cref="SecretRedactingLoggerProvider"/> hides configured keys in the message, the state and the exception.
/// (The real process, its output and its line count: Calc.Reliability.Tests LogPolicyTests.)
/// </summary>
public sealed class LogPolicyUnitTests
{
    private const string Secret = "k-77c1d0e5a9f3b2";

    [Fact]
    public void DefaultLevels_WithoutAppSettings_FrameworkRequestLinesOffCallEventsOn()
    {
        using var host = new Host([]);
        var loggers = host.App.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Grpc.AspNetCore.Grpc.JsonTranscoding.ServerCallHandler").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("System.Net.Http.HttpClient.calc-cbr.LogicalHandler").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Calc.Transport.Grpc.Telemetry.GrpcTelemetryInterceptor").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
        // off entirely, so the hosting layer creates no Activity and log scope per request
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics", null, "Warning")]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore=Debug", "Debug")]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Hosting.Diagnostics=Information", "Information")]
    [InlineData("Calc.Server", null, "Information")]
    [InlineData("Calc.Server", "Default=Error", "Error")]
    public void ConfiguredLevel_NearestPrefixWins(string category, string? setting, string expected)
    {
        var values = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" };
        if (setting is not null)
        {
            values["Logging:LogLevel:" + setting.Split('=')[0]] = setting.Split('=')[1];
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        Assert.Equal(Enum.Parse<LogLevel>(expected), CalcServices.ConfiguredLevel(configuration, category));
    }

    [Fact]
    public void DefaultLevels_AnyConfigurationSource_OverridesThem()
    {
        using var host = new Host(["--Logging:LogLevel:Microsoft.AspNetCore=Information"]);
        var loggers = host.App.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Redaction_SecretInMessageStateAndException_Replaced()
    {
        var sink = new Sink();
        using var provider = new SecretRedactingLoggerProvider(sink, [Secret]);
        var logger = provider.CreateLogger("test");

        logger.LogInformation(new InvalidOperationException("bad key " + Secret), "call refused: {Detail} in {ElapsedMs} ms", $"currency '{Secret}' is not a code", 1.5);

        var entry = Assert.Single(sink.Entries);
        Assert.Equal($"call refused: currency '{LogPolicy.Redacted}' is not a code in 1.5 ms", entry.Message);
        Assert.Equal($"currency '{LogPolicy.Redacted}' is not a code", entry.State.Single(kv => kv.Key == "Detail").Value);
        Assert.Equal(1.5, entry.State.Single(kv => kv.Key == "ElapsedMs").Value); // numbers stay numbers
        Assert.DoesNotContain(Secret, entry.Exception!.ToString(), StringComparison.Ordinal);
        Assert.Contains(LogPolicy.Redacted, entry.Exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redaction_EntryWithoutSecret_PassedUnchanged()
    {
        var sink = new Sink();
        using var provider = new SecretRedactingLoggerProvider(sink, [Secret]);
        var error = new InvalidOperationException("nothing secret");
        List<KeyValuePair<string, object?>> state = [new("Value", "text")];

        provider.CreateLogger("test").Log(LogLevel.Warning, default, state, error, (s, _) => "plain " + s[0].Value);

        var entry = Assert.Single(sink.Entries);
        Assert.Equal("plain text", entry.Message);
        Assert.Same(error, entry.Exception);
        Assert.Same(state, entry.StateObject); // the original state, not a copy
    }

    /// <summary>A host built by <see cref="CalcServices.AddCalcLogging"/> alone, its content root an empty folder (no appsettings.json).</summary>
    private sealed class Host : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("calc-log-policy-").FullName;

        public Host(string[] args)
        {
            var builder = WebApplication.CreateBuilder([.. args, "--contentRoot=" + _root]);
            builder.AddCalcLogging();
            App = builder.Build();
        }

        public WebApplication App { get; }

        public void Dispose()
        {
            ((IDisposable)App).Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }

    private sealed record Entry(string Message, IReadOnlyList<KeyValuePair<string, object?>> State, object StateObject, Exception? Exception);

    /// <summary>An inner provider that records what reaches it.</summary>
    private sealed class Sink : ILoggerProvider
    {
        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recorder(this);

        public void Dispose()
        {
        }

        private sealed class Recorder(Sink sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Add(new Entry(formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? [], state!, exception));
        }
    }
}
