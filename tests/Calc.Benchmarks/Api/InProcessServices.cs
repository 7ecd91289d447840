using Calc.Application.Imports;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Quotes;
using Calc.Application.Valuation;
using Calc.Domain.Rules;
using Grpc.Core;
using Calc.Transport.Grpc.Services.Calc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Benchmarks.Api;

/// <summary>The server's income and quote services as the host registers them, over a store imported from <paramref name="dataDirectory"/>.</summary>
internal static class InProcessServices
{
    public static ServiceProvider Build(string dataDirectory)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => RuleSetLoader.LoadEmbedded());
        services.AddSingleton(new ValuationOptions());
        services.AddCalcMarketData(new ConfigurationBuilder().Build());
        services.AddSingleton<Pricer>();
        services.AddSingleton<QuoteQueries>();
        services.AddSingleton<ImportCommands>();
        services.AddSingleton<IncomeRecognition>();
        services.AddSingleton<IncomeGrpcService>();
        services.AddSingleton<QuoteGrpcService>();
        var provider = services.BuildServiceProvider();
        StartupImport.Run(provider.GetRequiredService<MarketDataStore>(), dataDirectory, ImportErrorMode.Fail, provider.GetRequiredService<ImportRules>());
        return provider;
    }
}

/// <summary>The call context of an in-process call: no deadline, nothing cancelled, no HTTP underneath.</summary>
internal sealed class BenchmarkCallContext(string method) : ServerCallContext
{
    protected override string MethodCore => method;
    protected override string HostCore => "localhost";
    protected override string PeerCore => "in-process";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = [];
    protected override CancellationToken CancellationTokenCore => CancellationToken.None;
    protected override Metadata ResponseTrailersCore { get; } = [];
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore { get; } = new(null, []);
    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("no propagation in an in-process benchmark");
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}

/// <summary>A serialization context over a buffer writer: what grpc-dotnet hands the income marshaller.</summary>
internal sealed class WriterSerializationContext(System.Buffers.IBufferWriter<byte> output) : SerializationContext
{
    public int Length { get; private set; }

    public override void SetPayloadLength(int payloadLength) => Length = payloadLength;

    public override System.Buffers.IBufferWriter<byte> GetBufferWriter() => output;

    public override void Complete()
    {
    }

    public override void Complete(byte[] payload)
    {
        System.Buffers.BuffersExtensions.Write(output, payload);
        Length = payload.Length;
    }
}
