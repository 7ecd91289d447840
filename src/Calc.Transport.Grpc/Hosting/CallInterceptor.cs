namespace Calc.Transport.Grpc;

/// <summary>
/// A check or some bookkeeping around every calc call that does not care about the call's shape: two hooks,
/// <see cref="OnCallStarting"/> before the service runs (throw an <see cref="RpcException"/> to refuse the call)
/// and <see cref="OnCallCompleted"/> once it ended (status OK, or the status the error mapping made of a
/// failure). Unary and all streaming kinds go through the same two hooks.
/// </summary>
/// <remarks>
/// These are not grpc-dotnet interceptors of their own: <see cref="CallPipeline"/>, the one
/// <see cref="Grpc.Core.Interceptors.Interceptor"/> Calc registers, runs the hooks of every registered
/// <see cref="CallInterceptor"/> in registration order (<see cref="GrpcServiceCollectionExtensions.AddCallInterceptor{T}"/>)
/// around a single await of the service. Four stacked grpc-dotnet interceptors cost four async frames per call;
/// measured in load-tests/README.md (issue 14's unary A/B).
/// </remarks>
public abstract class CallInterceptor
{
    /// <summary>False when this hook has nothing to do under its configuration (no keys, no limits): the pipeline then skips it.</summary>
    protected internal virtual bool IsActive => true;

    /// <summary>Runs before the service method; throw an <see cref="RpcException"/> to refuse the call.</summary>
    protected internal abstract void OnCallStarting(ServerCallContext context);

    /// <summary>
    /// Runs after <see cref="OnCallStarting"/> succeeded and the call ended; <paramref name="status"/> is its outcome,
    /// <paramref name="elapsed"/> the time since the call reached the pipeline. Must not throw.
    /// </summary>
    protected internal virtual void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
    }
}
