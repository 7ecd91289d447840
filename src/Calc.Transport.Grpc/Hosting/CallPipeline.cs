using System.Diagnostics;
using Calc.Transport.Grpc.Errors;
using Calc.Transport.Grpc.Telemetry;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc;

/// <summary>
/// The one grpc-dotnet <see cref="Interceptor"/> around every call (gRPC, gRPC-Web and JSON transcoding alike):
/// <list type="number">
/// <item>the <see cref="CallInterceptor.OnCallStarting"/> hooks in registration order (telemetry first, then the
/// host's: API keys, limits); a hook that throws refuses the call, and only the hooks before it complete;</item>
/// <item>the service, awaited once;</item>
/// <item>a failure becomes its status in exactly one place, <see cref="ErrorMapper"/>;</item>
/// <item>the <see cref="CallInterceptor.OnCallCompleted"/> hooks of the hooks that started, in reverse order,
/// with that status and the elapsed time.</item>
/// </list>
/// Hooks whose configuration leaves them nothing to do (<see cref="CallInterceptor.IsActive"/>) are dropped when
/// the pipeline is built, so an unconfigured feature costs nothing per call.
/// </summary>
internal sealed class CallPipeline : Interceptor
{
    private readonly CallInterceptor[] _hooks;
    private readonly ErrorMapper _errors;

    public CallPipeline(IEnumerable<CallInterceptor> hooks, ErrorMapper errors, IOptions<GrpcServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(hooks);
        bool telemetry = options.Value.EnableTelemetry;
        _hooks = hooks.Where(h => h.IsActive && (telemetry || h is not GrpcTelemetryInterceptor)).ToArray();
        _errors = errors;
    }

    /// <summary>The hooks that run, in order (for tests and the startup log).</summary>
    internal IReadOnlyList<CallInterceptor> Hooks => _hooks;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        long started = Stopwatch.GetTimestamp();
        int entered = 0;
        TResponse response;
        try
        {
            for (; entered < _hooks.Length; entered++)
            {
                _hooks[entered].OnCallStarting(context);
            }

            response = await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(e, context, entered, started);
        }

        Complete(context, entered, Status.DefaultSuccess, started);
        return response;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        long started = Stopwatch.GetTimestamp();
        int entered = 0;
        TResponse response;
        try
        {
            for (; entered < _hooks.Length; entered++)
            {
                _hooks[entered].OnCallStarting(context);
            }

            response = await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(e, context, entered, started);
        }

        Complete(context, entered, Status.DefaultSuccess, started);
        return response;
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return AroundAsync(context, () => continuation(request, responseStream, context));
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return AroundAsync(context, () => continuation(requestStream, responseStream, context));
    }

    private async Task AroundAsync(ServerCallContext context, Func<Task> call)
    {
        long started = Stopwatch.GetTimestamp();
        int entered = 0;
        try
        {
            for (; entered < _hooks.Length; entered++)
            {
                _hooks[entered].OnCallStarting(context);
            }

            await call().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(e, context, entered, started);
        }

        Complete(context, entered, Status.DefaultSuccess, started);
    }

    /// <summary>The exception to throw for a failed call (the original when it already is an <see cref="RpcException"/>), after the started hooks completed with its status.</summary>
    private Exception Fail(Exception e, ServerCallContext context, int entered, long started)
    {
        var mapped = e as RpcException ?? _errors.Map(e, context);
        Complete(context, entered, mapped.Status, started);
        return mapped;
    }

    private void Complete(ServerCallContext context, int entered, Status status, long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        for (int i = entered - 1; i >= 0; i--)
        {
            _hooks[i].OnCallCompleted(context, status, elapsed);
        }
    }
}
