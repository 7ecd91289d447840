using System.Collections.Concurrent;
using Calc.Reliability.Tests.Infrastructure;
using FsCheck;
using Outcome = Calc.Reliability.Tests.Infrastructure.Outcome;
using FsCheck.Fluent;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Calc.Reliability.Tests;

/// <summary>
/// Generated hostile traffic against a real server: mutated Connect JSON and protobuf payloads for every method
/// (seeded from the bad-input table), and random gRPC frames and headers. Every call must end with a status
/// inside the time limit, never with an unhandled server exception ("internal error (correlation id …)"), and
/// the process must stay up. Iterations: CALC_FUZZ_ITERATIONS (default 400 per property).
/// </summary>
public sealed class WireFuzzTests(ReliabilityServerFixture fixture, ITestOutputHelper output) : IClassFixture<ReliabilityServerFixture>, IDisposable
{
    private static readonly BadInput[] Seeds = [.. BadInputTable.Rows.Where(r => r.Json.Length < 4096)];
    private readonly HttpClient _http1 = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _h2 = Wire.NewH2Client();
    private readonly ConcurrentDictionary<string, int> _statuses = new(StringComparer.Ordinal);

    [Fact]
    public void ConnectJson_Mutated_AlwaysAStatusNeverAnUnhandledError()
    {
        var gen = from seed in Gen.Elements(Seeds)
                  from mutations in Mutation.Arbitrary.Generator
                  select (seed, mutations);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(ParserFuzzTests.Iterations), Prop.ForAll(Arb.From(gen), input =>
        {
            byte[] body = Mutation.ApplyAll(System.Text.Encoding.UTF8.GetBytes(input.seed.Json), input.mutations);
            var outcome = Run(() => Wire.ConnectAsync(_http1, fixture.Server.Http1Address, input.seed.Method, Wire.Bytes(body, "application/json")));
            return Acceptable(outcome, $"{input.seed.Method} {Mutation.Utf8(body)}");
        }));
        Report("Connect JSON");
    }

    [Fact]
    public void GrpcProtobuf_Mutated_AlwaysAStatusNeverAnUnhandledError()
    {
        var gen = from seed in Gen.Elements(Seeds)
                  from mutations in Mutation.Arbitrary.Generator
                  select (seed, mutations);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(ParserFuzzTests.Iterations), Prop.ForAll(Arb.From(gen), input =>
        {
            byte[] payload = Mutation.ApplyAll(Methods.ParseRequest(input.seed.Method, input.seed.Json).ToByteArray(), input.mutations);
            var outcome = Run(() => Wire.GrpcAsync(_h2, fixture.Server.GrpcAddress, input.seed.Method, Wire.Frame(payload)));
            return Acceptable(outcome, $"{input.seed.Method} {Convert.ToHexString(payload)}");
        }));
        Report("gRPC protobuf");
    }

    [Fact]
    public void GrpcFramingAndHeaders_Random_AlwaysAStatusNeverAnUnhandledError()
    {
        string[] headerNames = ["grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "x-api-key", "authorization", "x-trace-bin", "grpc-message-type", "user-agent"];
        string[] headerValues = ["1S", "0m", "99999999n", "-1S", "1", "S", "gzip", "identity", "br", "gzip,deflate", "Bearer ", "Bearer x", "AAAA", "!!", "", new string('9', 100)];
        var valid = new Calc.V1.GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" }.ToByteArray();
        var gen = from flag in Gen.Elements<byte>(0, 0, 1, 2, 0x80, 0xFF)
                  from lengthDelta in Gen.Elements(0, 0, -1, 1, 5, -5, 1 << 20, int.MaxValue / 2)
                  from frames in Gen.Choose(0, 3)
                  from headerCount in Gen.Choose(0, 3)
                  from names in Gen.Elements(headerNames).ArrayOf(headerCount)
                  from values in Gen.Elements(headerValues).ArrayOf(headerCount)
                  from contentType in Gen.Elements("application/grpc", "application/grpc", "application/grpc", "application/grpc+proto", "application/grpc+json", "application/grpcx", "text/plain")
                  select (flag, lengthDelta, frames, names, values, contentType);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(ParserFuzzTests.Iterations), Prop.ForAll(Arb.From(gen), input =>
        {
            var body = new List<byte>();
            for (int i = 0; i < input.frames; i++)
            {
                var frame = Wire.Frame(valid);
                frame[0] = input.flag;
                uint length = (uint)Math.Max(0, valid.Length + input.lengthDelta);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), length);
                body.AddRange(frame);
            }

            var headers = input.names.Zip(input.values, (n, v) => new KeyValuePair<string, string>(n, v)).ToArray();
            var outcome = Run(() => Wire.GrpcAsync(_h2, fixture.Server.GrpcAddress, "calc.v1.QuoteService/GetCbrRate", [.. body], headers, input.contentType));
            return Acceptable(outcome, $"flag={input.flag} delta={input.lengthDelta} frames={input.frames} headers={string.Join(';', headers)} ct={input.contentType}");
        }));
        Report("gRPC framing/headers");
    }

    public void Dispose()
    {
        _http1.Dispose();
        _h2.Dispose();
    }

    private static Outcome Run(Func<Task<Outcome>> call) => Task.Run(call).GetAwaiter().GetResult();

    private bool Acceptable(Outcome outcome, string input)
    {
        _statuses.AddOrUpdate(outcome.Status, 1, (_, n) => n + 1);
        bool unhandled = outcome.Message.Contains("internal error (correlation id", StringComparison.Ordinal) || outcome.Status == "UNKNOWN";
        Assert.False(unhandled, $"unhandled server error for {input}: {outcome}");
        Assert.False(fixture.Server.HasExited, $"server died on {input}");
        return true;
    }

    private void Report(string what) =>
        output.WriteLine($"{what}: {ParserFuzzTests.Iterations} inputs; statuses: {string.Join(", ", _statuses.OrderByDescending(s => s.Value).Select(s => $"{s.Key}={s.Value}"))}");
}
