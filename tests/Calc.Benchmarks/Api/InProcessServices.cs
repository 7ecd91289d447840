using Calc.Application.Imports;
using Calc.Application.Income;
using Calc.Application.MarketData;
using Calc.Application.Quotes;
using Calc.Application.Valuation;
using Calc.Domain.Rules;
using Calc.Transport.Grpc;
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
        StartupImport.Run(provider.GetRequiredService<MarketDataStore>(), dataDirectory, ImportErrorMode.Fail);
        return provider;
    }
}

/// <summary>The call context of an in-process call: no deadline, nothing cancelled, no HTTP underneath.</summary>
internal sealed class BenchmarkCallContext(string method) : ServerCallContext
{
    public override string Method => method;
    public override string Peer => "in-process";
    public override DateTime Deadline => DateTime.MaxValue;
    public override CancellationToken CancellationToken => CancellationToken.None;
    public override Metadata RequestHeaders { get; } = [];
    public override Metadata ResponseTrailers { get; } = [];
    public override Task WriteResponseHeadersAsync(Metadata responseHeaders) => Task.CompletedTask;
    public override Microsoft.AspNetCore.Http.HttpContext HttpContext => throw new NotSupportedException("no HTTP in an in-process benchmark");
}
