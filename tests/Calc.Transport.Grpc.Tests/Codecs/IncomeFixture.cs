using System.Buffers;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Valuation;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;
using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Services.Calc;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>
/// The income service over a small in-memory store: real Binance BTC/USDT, ETH/USDT and Coinbase BTC/USD
/// closes and CBR USD rates of 14–18 March 2025 (the rows of the workspace's series for those days).
/// </summary>
internal static class IncomeFixture
{
    public static readonly DateOnly FirstDay = new(2025, 3, 14);
    public static readonly DateOnly LastDay = new(2025, 3, 18);

    private static readonly (string Venue, string Base, string Quote, string Date, decimal Close)[] Closes =
    [
        ("binance", "BTC", "USDT", "2025-03-14", 83983.2m), ("binance", "BTC", "USDT", "2025-03-15", 84338.44m),
        ("binance", "BTC", "USDT", "2025-03-16", 82574.53m), ("binance", "BTC", "USDT", "2025-03-17", 84010.03m),
        ("binance", "BTC", "USDT", "2025-03-18", 82715.03m),
        ("binance", "ETH", "USDT", "2025-03-14", 1911.65m), ("binance", "ETH", "USDT", "2025-03-15", 1937.17m),
        ("binance", "ETH", "USDT", "2025-03-16", 1887.0m), ("binance", "ETH", "USDT", "2025-03-17", 1926.31m),
        ("binance", "ETH", "USDT", "2025-03-18", 1931.54m),
        ("coinbase", "BTC", "USD", "2025-03-14", 83980.49m), ("coinbase", "BTC", "USD", "2025-03-15", 84351.46m),
        ("coinbase", "BTC", "USD", "2025-03-16", 82562.57m), ("coinbase", "BTC", "USD", "2025-03-17", 84011.4m),
        ("coinbase", "BTC", "USD", "2025-03-18", 82698.76m),
    ];

    private static readonly (string Date, decimal Value)[] UsdRates =
    [
        ("2025-03-11", 88.3872m), ("2025-03-12", 86.5669m), ("2025-03-13", 86.6204m), ("2025-03-14", 86.6190m),
        ("2025-03-15", 85.5694m), ("2025-03-18", 84.3059m), ("2025-03-19", 81.5018m),
    ];

    private static readonly Lazy<ServiceProvider> Provider = new(Build);

    public static IServiceProvider Services => Provider.Value;

    public static IncomeGrpcService Service => Services.GetRequiredService<IncomeGrpcService>();

    /// <summary>The service and what it needs, as the server registers them (without the host).</summary>
    public static void AddIncome(IServiceCollection services)
    {
        services.AddLogging();
        services.AddSingleton(_ => RuleSetLoader.LoadEmbedded());
        services.AddSingleton(new ValuationOptions());
        services.AddCalcMarketData(new ConfigurationBuilder().Build());
        services.AddSingleton<Pricer>();
        services.AddSingleton<IncomeRecognition>();
        services.AddSingleton<IncomeGrpcService>();
    }

    /// <summary>Imports the fixture's closes and rates into the provider's store.</summary>
    public static void Import(IServiceProvider services)
    {
        var store = services.GetRequiredService<MarketDataStore>();
        store.ImportCbrRates(UsdRates.Select(r => new CbrRate("USD", DateOnly.Parse(r.Date, System.Globalization.CultureInfo.InvariantCulture), 1, r.Value)).ToList(), overwrite: false);
        store.ImportCloses(Closes.Select(c => new DailyClose(c.Venue, new AssetPair(c.Base, c.Quote),
            DateOnly.Parse(c.Date, System.Globalization.CultureInfo.InvariantCulture), c.Close, IsFinal: true)).ToList(), overwrite: false);
    }

    private static ServiceProvider Build()
    {
        var services = new ServiceCollection();
        AddIncome(services);
        var provider = services.BuildServiceProvider();
        Import(provider);
        return provider;
    }

    /// <summary>What a codec writer puts on the wire for <paramref name="message"/>.</summary>
    public static byte[] Encode<T>(IGrpcMessageWriter<T> writer, T message)
    {
        int size = writer.Measure(message);
        var output = new ArrayBufferWriter<byte>();
        writer.Write(message, size, output);
        Assert.Equal(size, output.WrittenCount);
        return output.WrittenSpan.ToArray();
    }

    public static ReadOnlySequence<byte> Bytes(IMessage message) => new(message.ToByteArray());
}

/// <summary>The call context of an in-process call: no deadline, nothing cancelled, no HTTP underneath.</summary>
internal sealed class InProcessCallContext : ServerCallContext
{
    public override string Method => "/calc.v1.IncomeService/RecognizeIncome";
    public override string Peer => "in-process";
    public override DateTime Deadline => DateTime.MaxValue;
    public override CancellationToken CancellationToken => CancellationToken.None;
    public override Metadata RequestHeaders { get; } = [];
    public override Metadata ResponseTrailers { get; } = [];
    public override Task WriteResponseHeadersAsync(Metadata responseHeaders) => Task.CompletedTask;
    public override Microsoft.AspNetCore.Http.HttpContext HttpContext => throw new NotSupportedException("no HTTP in process");
}

/// <summary>A request stream over a list.</summary>
internal sealed class ListReader<T>(IEnumerable<T> items) : IAsyncStreamReader<T>
{
    private readonly IEnumerator<T> _items = items.GetEnumerator();

    public T Current => _items.Current;

    public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(_items.MoveNext());
}

/// <summary>A response stream that keeps what was written, encoded.</summary>
internal sealed class BytesWriter<T>(Func<T, byte[]> encode) : IServerStreamWriter<T>
{
    public List<byte[]> Messages { get; } = [];

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        Messages.Add(encode(message));
        return Task.CompletedTask;
    }
}
