using BenchmarkDotNet.Attributes;
using Calc.LoadTests.Scenarios;
using Calc.Transport.Grpc.Services.Calc;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Benchmarks.Api;

/// <summary>
/// Scenario 1 in process: one GetQuote and one GetCbrRate of the load tests' month (warm store), each decoded
/// from its wire bytes, answered by the server's service object and encoded. Allocated = server bytes per call.
/// </summary>
[MemoryDiagnoser]
public class UnaryCeilingBenchmarks
{
    private readonly BenchmarkCallContext _quoteContext = new("/calc.v1.QuoteService/GetQuote");
    private readonly BenchmarkCallContext _rateContext = new("/calc.v1.QuoteService/GetCbrRate");
    private readonly byte[] _output = new byte[4096];
    private QuoteGrpcService _service = null!;
    private byte[] _quoteBytes = [];
    private byte[] _rateBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var options = ScenarioOptions.Parse([]);
        _service = InProcessServices.Build(options.DataDirectory).GetRequiredService<QuoteGrpcService>();
        var series = Workload.Load(options.DataDirectory, "2025-08").Series[0];
        string day = series.Days[series.Days.Count / 2].ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        _quoteBytes = new V1.GetQuoteRequest { Asset = series.Base, QuoteCurrency = series.Quote, Venue = series.Venue, Date = day }.ToByteArray();
        _rateBytes = new V1.GetCbrRateRequest { Currency = "USD", Date = day }.ToByteArray();
        if (GetQuote() == 0 || GetCbrRate() == 0)
        {
            throw new InvalidOperationException("empty answer");
        }
    }

    [Benchmark]
    public int GetQuote()
    {
        var response = _service.GetQuote(V1.GetQuoteRequest.Parser.ParseFrom(_quoteBytes), _quoteContext).GetAwaiter().GetResult();
        return Encode(response);
    }

    [Benchmark]
    public int GetCbrRate()
    {
        var response = _service.GetCbrRate(V1.GetCbrRateRequest.Parser.ParseFrom(_rateBytes), _rateContext).GetAwaiter().GetResult();
        return Encode(response);
    }

    private int Encode(IMessage response)
    {
        int size = response.CalculateSize();
        response.WriteTo(_output.AsSpan(0, size));
        return size;
    }
}
