using BenchmarkDotNet.Attributes;
using Calc.LoadTests.Scenarios;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Services.Calc;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Benchmarks.Api;

/// <summary>
/// Scenario 6, the ceiling: the load tests' 10,000-receipt RecognizeIncome batch (binance BTC + ETH over the
/// month) decoded from its wire bytes, recognised by the server's own service object against the imported
/// store (warm), and encoded — no network, one thread. Figures are per receipt (OperationsPerInvoke), so
/// the Allocated column is server allocations per receipt. The phases are measured on their own too.
/// Data: the workspace's real closes when beside the repository, else the server tests' fixture.
/// </summary>
[MemoryDiagnoser]
public class IncomeBatchCeilingBenchmarks
{
    private const int Receipts = 10_000;

    private IncomeGrpcService _service = null!;
    private byte[] _requestBytes = [];
    private V1.RecognizeIncomeRequest _request = null!;
    private V1.RecognizeIncomeResponse _response = null!;
    private byte[] _output = [];
    private readonly BenchmarkCallContext _context = new("/calc.v1.IncomeService/RecognizeIncome");

    [GlobalSetup]
    public void Setup()
    {
        var options = ScenarioOptions.Parse([]);
        _service = InProcessServices.Build(options.DataDirectory).GetRequiredService<IncomeGrpcService>();

        var workload = Workload.Load(options.DataDirectory, "2025-08");
        _request = workload.BatchRequests(Receipts)[0];
        _requestBytes = Google.Protobuf.MessageExtensions.ToByteArray(_request);
        _response = _service.RecognizeIncome(_request, _context).GetAwaiter().GetResult();
        if (_response.Results.Any(r => r.ResultCase != V1.IncomeResult.ResultOneofCase.Income))
        {
            throw new InvalidOperationException("the benchmark batch has item errors: " + _response.Results.First(r => r.Error is not null).Error);
        }

        _output = new byte[_response.CalculateSize() * 2];
    }

    [Benchmark(OperationsPerInvoke = Receipts, Baseline = true)]
    public int DecodeComputeEncode()
    {
        var request = V1.RecognizeIncomeRequest.Parser.ParseFrom(_requestBytes);
        var response = _service.RecognizeIncome(request, _context).GetAwaiter().GetResult();
        return Encode(response);
    }

    /// <summary>
    /// The same on every core at once (one batch per core, each on its own thread): the machine's ceiling.
    /// Mean is the wall time of <see cref="Environment.ProcessorCount"/> batches, so the machine's
    /// receipts/s = ProcessorCount × 10,000 / Mean (allocations: all batches together).
    /// </summary>
    [Benchmark]
    public int DecodeComputeEncodeAllCores()
    {
        int total = 0;
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
        {
            var request = V1.RecognizeIncomeRequest.Parser.ParseFrom(_requestBytes);
            var context = new BenchmarkCallContext("/calc.v1.IncomeService/RecognizeIncome");
            var response = _service.RecognizeIncome(request, context).GetAwaiter().GetResult();
            int size = response.CalculateSize();
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            Google.Protobuf.MessageExtensions.WriteTo(response, buffer.AsSpan(0, size));
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Add(ref total, size);
        });
        return total;
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int DecodeOnly() => V1.RecognizeIncomeRequest.Parser.ParseFrom(_requestBytes).Receipts.Count;

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int ComputeOnly() => _service.RecognizeIncome(_request, _context).GetAwaiter().GetResult().Results.Count;

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int EncodeOnly() => Encode(_response);

    private int Encode(V1.RecognizeIncomeResponse response)
    {
        int size = response.CalculateSize();
        if (size > _output.Length)
        {
            _output = new byte[size * 2];
        }

        Google.Protobuf.MessageExtensions.WriteTo(response, _output.AsSpan(0, size));
        return size;
    }
}
