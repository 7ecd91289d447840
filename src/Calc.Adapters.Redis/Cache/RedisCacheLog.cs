using Microsoft.Extensions.Logging;

namespace Calc.Adapters.Redis.Cache;

/// <summary>The cache's log events: one per state change, never one per failed call.</summary>
internal static partial class RedisCacheLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Redis cache connected to {Endpoint}; shared closes and CBR rates are in use")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Redis cache degraded ({Reason}); serving from the in-process cache and upstream sources until it recovers")]
    public static partial void Degraded(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "Redis rejected a cache command: {Error}")]
    public static partial void CommandRejected(ILogger logger, string error);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information,
        Message = "Redis cache configured for {Configuration}; connecting")]
    public static partial void Starting(ILogger logger, string configuration);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information,
        Message = "Another replica imported over shared values; the in-process tier starts afresh (change epoch {Epoch})")]
    public static partial void ChangedElsewhere(ILogger logger, long epoch);
}
