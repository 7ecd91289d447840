using Calc.Transport.Grpc.Health.V1;
using ServingStatus = Calc.Transport.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Calc.Transport.Grpc.Health;

/// <summary>
/// The statuses <c>grpc.health.v1.Health</c> reports, keyed by service name ("" = the server as a whole).
/// The host feeds it from real readiness checks (see <see cref="GrpcHealthCheckPublisher"/>); until then the
/// server reports NOT_SERVING, so a load balancer never routes to a server that is still starting.
/// </summary>
public sealed class HealthStatusRegistry
{
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [""] = ServingStatus.NotServing };
    private readonly Dictionary<string, List<Action<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Sets a status and notifies watchers when it changed.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        Action<ServingStatus>[] notify;
        lock (_gate)
        {
            if (_statuses.TryGetValue(service, out var old) && old == status)
            {
                return;
            }

            _statuses[service] = status;
            notify = _watchers.TryGetValue(service, out var list) ? [.. list] : [];
        }

        foreach (var watcher in notify)
        {
            watcher(status);
        }
    }

    /// <summary>Forgets a service (Watch then reports SERVICE_UNKNOWN, Check NOT_FOUND).</summary>
    public void Remove(string service)
    {
        Action<ServingStatus>[] notify;
        lock (_gate)
        {
            if (!_statuses.Remove(service))
            {
                return;
            }

            notify = _watchers.TryGetValue(service, out var list) ? [.. list] : [];
        }

        foreach (var watcher in notify)
        {
            watcher(ServingStatus.ServiceUnknown);
        }
    }

    public bool TryGetStatus(string service, out ServingStatus status)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue(service, out status);
        }
    }

    /// <summary>Subscribes to changes of <paramref name="service"/>; returns the current status (SERVICE_UNKNOWN if none).</summary>
    public IDisposable Watch(string service, Action<ServingStatus> onChange, out ServingStatus current)
    {
        lock (_gate)
        {
            if (!_watchers.TryGetValue(service, out var list))
            {
                _watchers[service] = list = [];
            }

            list.Add(onChange);
            current = _statuses.TryGetValue(service, out var s) ? s : ServingStatus.ServiceUnknown;
        }

        return new Subscription(this, service, onChange);
    }

    private sealed class Subscription(HealthStatusRegistry owner, string service, Action<ServingStatus> callback) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                if (owner._watchers.TryGetValue(service, out var list))
                {
                    list.Remove(callback);
                    if (list.Count == 0)
                    {
                        owner._watchers.Remove(service);
                    }
                }
            }
        }
    }
}

/// <summary>Constructs health responses (keeps the generated type names out of service code).</summary>
internal static class HealthResponses
{
    public static HealthCheckResponse Of(ServingStatus status) => new() { Status = status };
}
