using System.Buffers;
using BenchmarkDotNet.Attributes;
using Calc.LoadTests.Scenarios;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Codecs;
using Calc.Transport.Grpc.Services.Calc;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Benchmarks.Api;

/// <summary>
/// Scenario 6, the ceiling: the load tests' 10,000-receipt RecognizeIncome batch (binance BTC + ETH over the
/// month) decoded from its wire bytes, recognised by the server's own service object against the imported
/// store (warm), and encoded — no network, one thread. Figures are per receipt (OperationsPerInvoke), so
/// the Allocated column is server allocations per receipt. The phases are measured on their own too.
/// The server's binary gRPC path is the codec (<see cref="IncomeMarshallers"/>); the <c>Generated*</c>
/// benchmarks run the same batch through the generated messages (what the server would do without the codec).
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
    private IncomeBatchRequest _decoded = null!;
    private IncomeBatchReply _reply = null!;
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private byte[] _generatedOutput = [];
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

        _decoded = Decode();
        _reply = _service.Recognize(_decoded, _context).GetAwaiter().GetResult();
        _generatedOutput = new byte[_response.CalculateSize() * 2];
        var check = Google.Protobuf.MessageExtensions.ToByteArray(_response);
        int size = DecodeComputeEncode();
        if (!_output.WrittenSpan.SequenceEqual(check) || size != check.Length)
        {
            throw new InvalidOperationException("the codec's answer differs from the generated messages' answer");
        }
    }

    /// <summary>The response bytes the last <see cref="DecodeComputeEncode"/> wrote (read by the CI smoke test, not measured).</summary>
    public ReadOnlyMemory<byte> LastEncoded => _output.WrittenMemory;

    /// <summary>The server's binary gRPC path: codec decode, service, codec encode (storage returned to the pools).</summary>
    [Benchmark(OperationsPerInvoke = Receipts, Baseline = true)]
    public int DecodeComputeEncode()
    {
        var reply = _service.Recognize(Decode(), _context).GetAwaiter().GetResult();
        return Encode(reply, _output);
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
            var context = new BenchmarkCallContext("/calc.v1.IncomeService/RecognizeIncome");
            var reply = _service.Recognize(Decode(), context).GetAwaiter().GetResult();
            var output = new PooledOutput();
            Interlocked.Add(ref total, Encode(reply, output));
            output.Dispose();
        });
        return total;
    }

    /// <summary>Decoding alone (the batch's storage is returned, as the server does after writing the answer).</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public int DecodeOnly()
    {
        var request = Decode();
        int n = request.Receipts.Count;
        request.Receipts.Release();
        return n;
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int ComputeOnly() => _service.Recognize(_decoded, _context).GetAwaiter().GetResult().Chunk.Outcomes.Length;

    /// <summary>Encoding alone: what the codec's Measure + Write do, without returning the (reused) receipts.</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public int EncodeOnly()
    {
        using var results = IncomeEncoder.EncodeResults(_reply.Receipts, _reply.Chunk, _reply.InlineProvenances);
        var tail = Google.Protobuf.MessageExtensions.ToByteArray(_reply.Tail);
        _output.ResetWrittenCount();
        _output.Write(results.WrittenSpan);
        _output.Write(tail);
        return _output.WrittenCount;
    }

    /// <summary>The batch through the generated messages: Google.Protobuf parse, the JSON transcoding path of the service (generated request → codec → generated response), WriteTo.</summary>
    [Benchmark(OperationsPerInvoke = Receipts)]
    public int GeneratedDecodeComputeEncode()
    {
        var request = V1.RecognizeIncomeRequest.Parser.ParseFrom(_requestBytes);
        var response = _service.RecognizeIncome(request, _context).GetAwaiter().GetResult();
        int size = response.CalculateSize();
        if (size > _generatedOutput.Length)
        {
            _generatedOutput = new byte[size * 2];
        }

        Google.Protobuf.MessageExtensions.WriteTo(response, _generatedOutput.AsSpan(0, size));
        return size;
    }

    private IncomeBatchRequest Decode() => IncomeDecoder.DecodeBatch(new ReadOnlySequence<byte>(_requestBytes));

    /// <summary>Writes the reply as the server does (the codec marshaller); returns its size.</summary>
    internal static int Encode(IncomeBatchReply reply, IBufferWriter<byte> output)
    {
        if (output is ArrayBufferWriter<byte> array)
        {
            array.ResetWrittenCount();
        }

        var context = new WriterSerializationContext(output);
        IncomeMarshallers.BatchReply.ContextualSerializer(reply, context);
        return context.Length;
    }

    /// <summary>An output over a rented array (what the server's pipe is to the encoder).</summary>
    private sealed class PooledOutput : IBufferWriter<byte>, IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

        private byte[] Ensure(int sizeHint)
        {
            if (_written + Math.Max(sizeHint, 1) > _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
                _buffer.AsSpan(0, _written).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            return _buffer;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
