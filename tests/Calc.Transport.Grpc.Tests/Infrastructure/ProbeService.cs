using Calc.Domain.Errors;
using Calc.Transport.Grpc.Tests.Probe;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>What the probe service observed, so tests can check that work stopped.</summary>
public sealed class ProbeState
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<bool>> _cancels = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _written = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _started = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _finished = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> _deadlines = new();

    /// <summary>
    /// Completes when the service method with this id began running. A call whose deadline passed while its request
    /// was still being read never reaches the service, so a test of what the service saw first checks this.
    /// </summary>
    public Task Started(string id) => Source(_started, id).Task;

    public void MarkStarted(string id) => Source(_started, id).TrySetResult();

    /// <summary>The <see cref="ServerCallContext.Deadline"/> the slow call with this id saw when it started (null before).</summary>
    public DateTime? DeadlineSeen(string id) => _deadlines.TryGetValue(id, out var deadline) ? deadline : null;

    public void RecordDeadline(string id, DateTime deadline) => _deadlines[id] = deadline;

    /// <summary>Completes when the service method with this id returned (however late).</summary>
    public Task Finished(string id) => Source(_finished, id).Task;

    public void MarkFinished(string id) => Source(_finished, id).TrySetResult();

    /// <summary>Completes with true when the slow call with this id saw its token cancelled.</summary>
    public Task<bool> CancelObserved(string id) => Signal(id).Task;

    public void ObservedCancel(string id) => Signal(id).TrySetResult(true);

    /// <summary>How many messages the streaming call with this id has handed to the transport.</summary>
    public int Written(string id) => _written.GetValueOrDefault(id);

    public void CountWrite(string id) => _written.AddOrUpdate(id, 1, (_, n) => n + 1);

    /// <summary>Completes when the test opens the gate with this id (a stalled service resumes).</summary>
    public Task Gate(string id) => GateSource(id).Task;

    public void OpenGate(string id) => GateSource(id).TrySetResult();

    private TaskCompletionSource GateSource(string id) => Source(_gates, id);

    private static TaskCompletionSource Source(System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> signals, string id) =>
        signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource<bool> Signal(string id) =>
        _cancels.GetOrAdd(id, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
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
            case "unavailable":
                throw GrpcErrors.Unavailable(Reasons.UpstreamUnavailable, "CBR is down", TimeSpan.FromMilliseconds(request.Millis));
            case "crash":
                throw new InvalidOperationException("secret internal detail");
            case "big":
                return new ProbeReply { Body = ByteString.CopyFrom(new byte[request.Size]) };
            case "slow":
                state.RecordDeadline(request.Id, context.Deadline);
                state.MarkStarted(request.Id);
                try
                {
                    await Task.Delay(request.Millis, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    state.ObservedCancel(request.Id);
                    throw;
                }

                return new ProbeReply { Text = "slept" };
            case "ignore-token":
                // ignores its token: blocked until the test opens the gate (Millis as a safety net)
                state.MarkStarted(request.Id);
                try
                {
                    await state.Gate(request.Id).WaitAsync(TimeSpan.FromMilliseconds(request.Millis), CancellationToken.None);
                }
                catch (TimeoutException)
                {
                    // the safety net: the test never opened the gate
                }

                state.MarkFinished(request.Id);
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
            var body = request.Kind == "big" ? ByteString.CopyFrom(new byte[request.Millis]) : ByteString.Empty;
            await responseStream.WriteAsync(new ProbeReply { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Body = body });
            state.CountWrite(request.Id);
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
            kinds.Add(requestStream.Current.Kind);
            if (requestStream.Current.Kind == "stall")
            {
                // stop reading until the test opens the gate (or Millis pass as a safety net): the client must be
                // held back by flow control, not buffered for
                await state.Gate(requestStream.Current.Id).WaitAsync(TimeSpan.FromMilliseconds(requestStream.Current.Millis), context.CancellationToken);
            }
        }

        return new ProbeReply { Text = kinds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + string.Join(",", kinds.Take(4)) };
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
