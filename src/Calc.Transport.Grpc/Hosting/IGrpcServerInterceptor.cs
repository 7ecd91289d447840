namespace Calc.Transport.Grpc;

/// <summary>
/// The server pipeline hook, run around every gRPC and Connect call: before the service method (throw an
/// <see cref="RpcException"/> to reject the call, e.g. UNAUTHENTICATED) and after the final status is known.
/// Register implementations as singletons: <c>services.AddSingleton&lt;IGrpcServerInterceptor, MyInterceptor&gt;()</c>.
/// They run in registration order; keep them allocation-free, they are on the hot path.
/// </summary>
public interface IGrpcServerInterceptor
{
    ValueTask OnCallStartingAsync(ServerCallContext context);

    void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed);
}
