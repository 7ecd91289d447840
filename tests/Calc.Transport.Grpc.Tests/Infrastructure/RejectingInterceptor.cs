namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>An authentication-style interceptor: calls carrying <c>x-reject</c> are refused before the service runs.</summary>
public sealed class RejectingInterceptor : IGrpcServerInterceptor
{
    public ValueTask OnCallStartingAsync(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.HttpContext.Request.Headers.ContainsKey("x-reject")
            ? ValueTask.FromException(new RpcException(new Status(StatusCode.Unauthenticated, "missing API key")))
            : ValueTask.CompletedTask;
    }

    public void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
    }
}
