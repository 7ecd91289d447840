using System.Buffers;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Valuation;
using Calc.Domain.Quotes;
using Calc.Domain.Rules;
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

    /// <summary>What a marshaller puts on the wire for <paramref name="message"/> (through its contextual serializer).</summary>
    public static byte[] Encode<T>(Marshaller<T> marshaller, T message)
    {
        var context = new BufferSerializationContext();
        marshaller.ContextualSerializer(message, context);
        return context.Written();
    }

    public static ReadOnlySequence<byte> Bytes(IMessage message) => new(message.ToByteArray());
}

/// <summary>A serialization context over an array buffer that checks the announced payload length.</summary>
internal sealed class BufferSerializationContext : SerializationContext
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private int? _length;
    private bool _completed;

    public override void SetPayloadLength(int payloadLength) => _length = payloadLength;

    public override IBufferWriter<byte> GetBufferWriter() => _output;

    public override void Complete() => _completed = true;

    public override void Complete(byte[] payload)
    {
        _output.Write(payload);
        _completed = true;
    }

    public byte[] Written()
    {
        Assert.True(_completed, "the serializer did not complete");
        Assert.Equal(_length, _output.WrittenCount);
        return _output.WrittenSpan.ToArray();
    }
}
