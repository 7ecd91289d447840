using Calc.Domain.Errors;
using Calc.Transport.Grpc.Tests.Probe;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>What the probe service observed, so tests can check that work stopped.</summary>
public sealed class ProbeState
{
    private readonly TaskCompletionSource<bool> _cancelObserved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with true when a slow call saw its token cancelled.</summary>
    public Task<bool> CancelObserved => _cancelObserved.Task;

    public int ReceivedMessages;

    public void ObservedCancel() => _cancelObserved.TrySetResult(true);
}

/// <summary>A service whose behaviour each request chooses (see probe.proto).</summary>
public sealed class ProbeService(ProbeState state)
{
    public async Task<ProbeReply> Run(ProbeRequest request, ServerCallContext context)
    {
        switch (request.Kind)
        {
            case "calc":
                throw new CalcException(CalcError.Invalid(Reasons.InvalidDecimal, "items[3].amount", "amount '1,5' is not a decimal"));
            case "calc-nofield":
                throw new CalcException(CalcError.NotFound(Reasons.RateNotFound, "no CBR rate for USD on 2025-01-12"));
            case "rpc":
                throw GrpcErrors.FailedPrecondition(Reasons.PriceNotFinal, "BTC/USDT 2025-01-12", "daily close not final yet");
            case "crash":
                throw new InvalidOperationException("secret internal detail");
            case "big":
                return new ProbeReply { Body = ByteString.CopyFrom(new byte[request.Size]) };
            case "slow":
                try
                {
                    await Task.Delay(request.Millis, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    state.ObservedCancel();
                    throw;
                }

                return new ProbeReply { Text = "slept" };
            case "ignore-token":
                await Task.Delay(request.Millis, CancellationToken.None);
                return new ProbeReply { Text = "too late" };
            case "trailers":
                context.ResponseTrailers.Add("x-trailer", "t1");
                context.ResponseTrailers.Add("x-trailer-bin", [0xAB, 0xAB, 0xAB]);
                return new ProbeReply { Text = context.RequestHeaders.GetValue("x-custom") ?? "" };
            case "deadline":
                return new ProbeReply { Text = context.Deadline == DateTime.MaxValue ? "none" : "set" };
            default:
                return new ProbeReply { Text = "ok:" + request.Kind };
        }
    }

    public async Task Stream(ProbeRequest request, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Size; i++)
        {
            await responseStream.WriteAsync(new ProbeReply { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (request.Kind == "fail-after")
        {
            throw new RpcException(new Status(StatusCode.Aborted, "stopped after " + request.Size));
        }
    }

    public async Task<ProbeReply> Collect(IAsyncStreamReader<ProbeRequest> requestStream, ServerCallContext context)
    {
        var kinds = new List<string>();
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            Interlocked.Increment(ref state.ReceivedMessages);
            kinds.Add(requestStream.Current.Kind);
        }

        return new ProbeReply { Text = string.Join(",", kinds) };
    }

    public async Task Echo(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream,
        ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new ProbeReply { Text = request.Kind, Body = ByteString.CopyFrom(new byte[request.Size]) });
        }
    }
}

/// <summary>Implements only part of <c>Broken</c> (binder validation tests).</summary>
public sealed class BrokenService
{
    public Task<ProbeReply> Run(ProbeRequest request) => Task.FromResult(new ProbeReply());
}
