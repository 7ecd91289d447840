using Grpc.Core.Interceptors;

namespace Calc.Transport.Grpc;

/// <summary>
/// A grpc-dotnet server <see cref="Interceptor"/> reduced to two hooks, for checks and bookkeeping that do
/// not care about the call's shape: <see cref="OnCallStarting"/> before the service runs (throw an
/// <see cref="RpcException"/> to refuse the call) and <see cref="OnCallCompleted"/> once it ended (status
/// OK, or the <see cref="RpcException"/> the error interceptor made of a failure). Unary and all streaming
/// kinds go through the same two hooks.
/// </summary>
public abstract class CallInterceptor : Interceptor
{
    /// <summary>Runs before the service method; throw an <see cref="RpcException"/> to refuse the call.</summary>
    protected abstract void OnCallStarting(ServerCallContext context);

    /// <summary>Runs after <see cref="OnCallStarting"/> succeeded and the call ended; <paramref name="status"/> is its outcome, <paramref name="elapsed"/> the time since the call reached this interceptor.</summary>
    protected virtual void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        OnCallStarting(context);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            OnCallCompleted(context, Status.DefaultSuccess, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (RpcException e)
        {
            OnCallCompleted(context, e.Status, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            throw;
        }
        catch (Exception e)
        {
            OnCallCompleted(context, new Status(StatusCode.Unknown, e.GetType().Name), System.Diagnostics.Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        OnCallStarting(context);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(requestStream, context).ConfigureAwait(false);
            OnCallCompleted(context, Status.DefaultSuccess, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (RpcException e)
        {
            OnCallCompleted(context, e.Status, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            throw;
        }
        catch (Exception e)
        {
            OnCallCompleted(context, new Status(StatusCode.Unknown, e.GetType().Name), System.Diagnostics.Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Around(context, () => continuation(request, responseStream, context));
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Around(context, () => continuation(requestStream, responseStream, context));
    }

    private async Task Around(ServerCallContext context, Func<Task> call)
    {
        OnCallStarting(context);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await call().ConfigureAwait(false);
            OnCallCompleted(context, Status.DefaultSuccess, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (RpcException e)
        {
            OnCallCompleted(context, e.Status, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            throw;
        }
        catch (Exception e)
        {
            OnCallCompleted(context, new Status(StatusCode.Unknown, e.GetType().Name), System.Diagnostics.Stopwatch.GetElapsedTime(started));
            throw;
        }
    }
}
