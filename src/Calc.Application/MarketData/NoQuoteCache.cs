using Calc.Application.Ports;
using Calc.Domain.Quotes;

namespace Calc.Application.MarketData;

/// <summary>The embedded default: no shared cache. Every read misses, every write is dropped.</summary>
public sealed class NoQuoteCache : IQuoteCache
{
    public static readonly NoQuoteCache Instance = new();

    public CacheState State => CacheState.Disabled;

    public ValueTask GetClosesAsync(IReadOnlyList<CloseKey> keys, DailyClose?[] results, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SetClosesAsync(IReadOnlyList<DailyClose> closes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask GetCbrRatesAsync(IReadOnlyList<CbrRateKey> keys, CbrRate?[] results, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SetCbrRatesAsync(IReadOnlyList<(DateOnly Date, CbrRate Rate)> rates, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
