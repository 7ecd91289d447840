using System.IO.Compression;

namespace Calc.Transport.Grpc;

/// <summary>
/// Transport options, bound from the configuration section <c>Grpc</c> (<see cref="SectionName"/>).
/// Defaults are chosen for Calc's clients: 1C batches of up to thousands of rows, bank clients with short
/// deadlines, and load balancers that drop idle connections.
/// </summary>
public sealed class GrpcServerOptions
{
    public const string SectionName = "Grpc";

    /// <summary>Largest request message accepted (after decompression); larger → RESOURCE_EXHAUSTED. Default 16 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest response message sent; larger → RESOURCE_EXHAUSTED. Default 16 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Upper bound for a gRPC call's deadline: a call asking for longer (the gRPC spec allows up to 99999999 hours)
    /// gets this one. Default one hour: a month-end stream of millions of receipts takes seconds to minutes.
    /// Zero or negative = no bound.
    /// </summary>
    public TimeSpan? MaxDeadline { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Deadline given to a gRPC call that sets none (capped by <see cref="MaxDeadline"/>). Default none, as gRPC
    /// intends: such a call is still bounded by the connection's idle and data-rate limits. A deadline costs
    /// every call a timer (~500 bytes and a timer-queue entry measured per unary call).
    /// </summary>
    public TimeSpan? DefaultDeadline { get; set; }

    /// <summary>Put the exception message (never the stack trace) in INTERNAL statuses. Off in production.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Response encoding ("gzip") used when the client accepts it; null = uncompressed responses.</summary>
    public string? ResponseCompression { get; set; }

    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Log and meter every call through the built-in telemetry interceptor. Default on.</summary>
    public bool EnableTelemetry { get; set; } = true;

    /// <summary>
    /// HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection (Kestrel's default is 100). Default 256: room for
    /// a batch client's parallel calls and a bank's unary fan-out, while one connection cannot pin thousands
    /// of calls (per-caller concurrency limits apply on top).
    /// </summary>
    public int MaxConcurrentStreams { get; set; } = 256;

    /// <summary>Interval of HTTP/2 keepalive PINGs on idle connections; null disables. Default 60 s.</summary>
    public TimeSpan? KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Close a connection whose PING is not answered within this time. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>HTTP/2 per-stream receive window in bytes (Kestrel default 768 KiB).</summary>
    public int InitialStreamWindowSize { get; set; } = 1024 * 1024;

    /// <summary>HTTP/2 per-connection receive window in bytes (Kestrel default 1 MiB).</summary>
    public int InitialConnectionWindowSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Address the gRPC listeners bind (ConfigureCalcGrpcKestrel). Default 127.0.0.1; use 0.0.0.0 in containers.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>gRPC port: h2c with prior knowledge (HTTP/2 only), or with a certificate TLS with ALPN h2 + http/1.1.</summary>
    public int Port { get; set; } = 5000;

    /// <summary>Optional cleartext HTTP/1.1 port for JSON clients (1C); null = none.</summary>
    public int? Http1Port { get; set; }

    /// <summary>PEM or PFX certificate for TLS endpoints; null = h2c only.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Private key file for a PEM certificate, or the PFX password.</summary>
    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }
}
