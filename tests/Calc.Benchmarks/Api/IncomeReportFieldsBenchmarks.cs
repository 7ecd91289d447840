using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Calc.LoadTests.Scenarios;
using Calc.Transport.Grpc.Codecs;
using Calc.Transport.Grpc.Services.Calc;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Benchmarks.Api;

/// <summary>
/// The ceiling batch of <see cref="IncomeBatchCeilingBenchmarks"/> with the monthly report's fields filled as
/// a real pool export has them: a 64-hex tx_id per receipt (unique), a wallet address (100 distinct, each for a
/// run of 100 consecutive receipts) and a pool on every other run. Decode keeps them, the session aggregates the
/// report lines, the tail carries them. Per receipt (OperationsPerInvoke); compare with the ceiling benchmark
/// to see what the report's fields cost.
/// </summary>
[MemoryDiagnoser]
public class IncomeReportFieldsBenchmarks
{
    private const int Receipts = 10_000;

    private IncomeGrpcService _service = null!;
    private byte[] _requestBytes = [];
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly BenchmarkCallContext _context = new("/calc.v1.IncomeService/RecognizeIncome");

    [GlobalSetup]
    public void Setup()
    {
        var options = ScenarioOptions.Parse([]);
        _service = InProcessServices.Build(options.DataDirectory).GetRequiredService<IncomeGrpcService>();
        var request = Workload.Load(options.DataDirectory, "2025-08").BatchRequests(Receipts)[0];
        for (int i = 0; i < request.Receipts.Count; i++)
        {
            var r = request.Receipts[i];
            int run = i / 100;
            r.WalletAddress = "bc1qminer" + (run % 100).ToString("D4", CultureInfo.InvariantCulture) + "xyzxyzxyzxyzxyzxyzxyzxyzxyz";
            r.Pool = run % 2 == 0 ? "ViaBTC" : "";
            r.TxId = ((ulong)i * 0x9E3779B97F4A7C15UL).ToString("x16", CultureInfo.InvariantCulture) + new string('a', 48);
        }

        _requestBytes = Google.Protobuf.MessageExtensions.ToByteArray(request);
        var check = _service.RecognizeIncome(request, _context).GetAwaiter().GetResult();
        if (check.Results.Any(r => r.Error is not null) || check.ReportLines.Count == 0)
        {
            throw new InvalidOperationException($"unexpected answer: {check.ReportLines.Count} report lines");
        }
    }

    [Benchmark(OperationsPerInvoke = Receipts)]
    public int DecodeComputeEncodeWithReportFields()
    {
        var reply = _service.Recognize(IncomeDecoder.DecodeBatch(new ReadOnlySequence<byte>(_requestBytes)), _context).GetAwaiter().GetResult();
        return IncomeBatchCeilingBenchmarks.Encode(reply, _output);
    }
}
