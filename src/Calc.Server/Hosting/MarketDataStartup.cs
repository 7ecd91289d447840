using Calc.Application.Imports;
using Calc.Application.MarketData;
using Calc.Domain.Errors;

namespace Calc.Server.Hosting;

/// <summary>Imports <c>MarketData__ImportPath</c> before the server accepts calls.</summary>
public static partial class MarketDataStartup
{
    public static WebApplication ImportMarketData(this WebApplication app)
    {
        string? path = app.Configuration["MarketData:ImportPath"];
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Calc.Server.Import");
        if (string.IsNullOrWhiteSpace(path))
        {
            LogNoImport(logger);
            return app;
        }

        var mode = app.Configuration.GetValue("MarketData:ImportErrors", ImportErrorMode.Fail);
        var store = app.Services.GetRequiredService<MarketDataStore>();
        try
        {
            // accepted values also go to the shared cache (in the background; startup never waits for Redis)
            var report = StartupImport.Run(store, Path.GetFullPath(path), mode, app.Services.GetRequiredService<ImportRules>(), app.Services.GetService<ImportWriteThrough>());
            LogImported(logger, Path.GetFullPath(path), report.Added, report.Unchanged, report.Rejected.Count);
            foreach (var rejected in report.Rejected)
            {
                LogRejected(logger, rejected.Location, rejected.Error.Reason, rejected.Error.Message);
            }
        }
        catch (CalcException e)
        {
            LogImportFailed(logger, e.Error.Reason, e.Error.Message);
            throw new InvalidOperationException($"market data import failed: {e.Error.Message} [{e.Error.Reason}]", e);
        }

        return app;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "MarketData:ImportPath is not set: no market data imported at startup")]
    private static partial void LogNoImport(ILogger logger);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Imported market data from {Path}: {Added} added, {Unchanged} unchanged, {Rejected} rejected")]
    private static partial void LogImported(ILogger logger, string path, int added, int unchanged, int rejected);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Import row skipped at {Location}: {Reason} {Message}")]
    private static partial void LogRejected(ILogger logger, string location, string reason, string message);

    [LoggerMessage(EventId = 103, Level = LogLevel.Critical, Message = "Market data import failed, stopping startup: {Reason} {Message}")]
    private static partial void LogImportFailed(ILogger logger, string reason, string message);
}
