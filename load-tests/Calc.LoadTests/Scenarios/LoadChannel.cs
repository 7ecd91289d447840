using Grpc.Core;
using Grpc.Net.Client;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// How the load scenarios reach the server: one Grpc.Net.Client channel per scenario run (HTTP/2, h2c), no
/// retries (a retried call would hide a failure the measurement must count), and a deadline on every call.
/// </summary>
public static class LoadChannel
{
    /// <summary>The largest response a scenario receives: a 10,000-result batch is ~1.5 MB; the default cap is 4 MB.</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>A call's deadline: far above any measured latency, so it only ends a hung call.</summary>
    public static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(60);

    /// <summary>The whole month-end stream's deadline.</summary>
    public static readonly TimeSpan StreamDeadline = TimeSpan.FromMinutes(10);

    public static GrpcChannel For(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = MaxMessageBytes,
        MaxSendMessageSize = MaxMessageBytes,
        MaxRetryAttempts = 0,
    });

    public static CallOptions Call(CancellationToken ct) => new(deadline: DateTime.UtcNow + CallDeadline, cancellationToken: ct);

    public static CallOptions Stream(CancellationToken ct) => new(deadline: DateTime.UtcNow + StreamDeadline, cancellationToken: ct);
}
