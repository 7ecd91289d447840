using Calc.Domain.Errors;
using Calc.Transport.Grpc;
using Calc.Transport.Grpc.Errors;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc.Tests.Hosting;

/// <summary>The one interceptor: hook order, refusals, the mapped status every started hook sees, inactive hooks dropped.</summary>
public sealed class CallPipelineTests
{
    private readonly List<string> _journal = [];

    [Fact]
    public async Task Unary_Ok_HooksStartInOrderAndCompleteInReverseWithOk()
    {
        var pipeline = Build(new Hook("a", _journal), new Hook("b", _journal));

        var answer = await pipeline.UnaryServerHandler("q", new TestContext(), (request, _) =>
        {
            _journal.Add("service " + request);
            return Task.FromResult("r");
        });

        Assert.Equal("r", answer);
        Assert.Equal(["start a", "start b", "service q", "end b OK", "end a OK"], _journal);
    }

    [Fact]
    public async Task Refusal_ServiceNotCalled_OnlyHooksBeforeTheRefusingOneComplete_WithItsStatus()
    {
        var refusal = new RpcException(new Status(StatusCode.PermissionDenied, "no"));
        var pipeline = Build(new Hook("a", _journal), new Hook("b", _journal) { Refusal = refusal }, new Hook("c", _journal));

        var thrown = await Assert.ThrowsAsync<RpcException>(() => pipeline.UnaryServerHandler<string, string>("q", new TestContext(), (_, _) =>
        {
            _journal.Add("service");
            return Task.FromResult("r");
        }));

        Assert.Same(refusal, thrown);
        Assert.Equal(["start a", "start b", "end a PermissionDenied"], _journal);
    }

    [Fact]
    public async Task ServiceThrowsCalcException_MappedOnce_HooksSeeTheMappedStatus()
    {
        var pipeline = Build(new Hook("a", _journal));

        var thrown = await Assert.ThrowsAsync<RpcException>(() => pipeline.UnaryServerHandler<string, string>("q", new TestContext(),
            (_, _) => throw new CalcException(CalcError.Invalid("INVALID_DATE", "date", "date: expected YYYY-MM-DD"))));

        Assert.Equal(StatusCode.InvalidArgument, thrown.StatusCode);
        Assert.Equal(["start a", "end a InvalidArgument"], _journal);
    }

    [Fact]
    public async Task DuplexStream_ServiceFails_StartedHooksComplete()
    {
        var pipeline = Build(new Hook("a", _journal));

        await Assert.ThrowsAsync<RpcException>(() => pipeline.DuplexStreamingServerHandler<string, string>(null!, null!, new TestContext(),
            (_, _, _) => throw new CalcException(CalcError.NotFound("NO_RATE", "no rate"))));

        Assert.Equal(["start a", "end a NotFound"], _journal);
    }

    [Fact]
    public void InactiveHooks_Dropped()
    {
        var pipeline = Build(new Hook("a", _journal) { Active = false }, new Hook("b", _journal));

        Assert.Equal(["b"], pipeline.Hooks.Cast<Hook>().Select(h => h.Name));
    }

    private static CallPipeline Build(params CallInterceptor[] hooks)
    {
        var options = Options.Create(new GrpcServerOptions());
        return new CallPipeline(hooks, new ErrorMapper(NullLogger<ErrorMapper>.Instance, options), options);
    }

    private sealed class Hook(string name, List<string> journal) : CallInterceptor
    {
        public string Name => name;

        public bool Active { get; init; } = true;

        public RpcException? Refusal { get; init; }

        protected internal override bool IsActive => Active;

        protected internal override void OnCallStarting(ServerCallContext context)
        {
            journal.Add("start " + name);
            if (Refusal is not null)
            {
                throw Refusal;
            }
        }

        protected internal override void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
        {
            Assert.True(elapsed >= TimeSpan.Zero);
            journal.Add($"end {name} {status.StatusCode}");
        }
    }

    private sealed class TestContext : ServerCallContext
    {
        protected override string MethodCore => "/calc.v1.QuoteService/GetCbrRate";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore { get; } = new(null, []);
        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
