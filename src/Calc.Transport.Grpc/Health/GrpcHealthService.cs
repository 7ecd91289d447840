using System.Threading.Channels;
using Calc.Transport.Grpc.Health.V1;
using ServingStatus = Calc.Transport.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Calc.Transport.Grpc.Health;

/// <summary><c>grpc.health.v1.Health</c> (grpc/grpc doc/health-checking.md) over <see cref="HealthStatusRegistry"/>.</summary>
public sealed class GrpcHealthService(HealthStatusRegistry registry)
{
    /// <summary>The current status; NOT_FOUND for a service the registry does not know.</summary>
    public Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return registry.TryGetStatus(request.Service, out var status)
            ? Task.FromResult(HealthResponses.Of(status))
            : Task.FromException<HealthCheckResponse>(new RpcException(
                new Status(StatusCode.NotFound, $"unknown service '{request.Service}'")));
    }

    /// <summary>The current status (SERVICE_UNKNOWN if unknown), then every change, until the client cancels.</summary>
    public async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);

        // only the latest status matters: a slow watcher skips intermediate ones instead of buffering them
        var changes = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        using var subscription = registry.Watch(request.Service, s => changes.Writer.TryWrite(s), out var current);
        await responseStream.WriteAsync(HealthResponses.Of(current), context.CancellationToken);
        var last = current;
        await foreach (var status in changes.Reader.ReadAllAsync(context.CancellationToken))
        {
            if (status != last)
            {
                last = status;
                await responseStream.WriteAsync(HealthResponses.Of(status), context.CancellationToken);
            }
        }
    }
}
