using Microsoft.Extensions.Logging;

namespace Calc.Application.MarketData;

internal static partial class MarketDataLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Shared quote cache {Operation} failed ({Kind}): {Error}; continuing without it")]
    public static partial void CacheFailed(ILogger logger, string operation, string kind, string error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Upstream {Source} failed for {What}: {Reason} {Error}")]
    public static partial void UpstreamFailed(ILogger logger, string source, string what, string reason, string error);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Fetched {Count} value(s) from {Source} for {What}")]
    public static partial void UpstreamFetched(ILogger logger, string source, string what, int count);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Upstream {Source} answered a value outside the request for {What}: {Detail}; ignored")]
    public static partial void UpstreamOddValue(ILogger logger, string source, string what, string detail);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Market data sync: {Kind} run refreshed {Ok} value(s), {Failed} failed")]
    public static partial void SyncRun(ILogger logger, string kind, int ok, int failed);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Market data sync run failed")]
    public static partial void SyncCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Market data sync: ignoring pair '{Entry}' (expected venue:BASE/QUOTE)")]
    public static partial void SyncBadPair(ILogger logger, string entry);
}
