using System.Globalization;
using System.Net;
using Calc.Transport.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Calc.Server.Hosting;

/// <summary>Connection and protocol limits of Kestrel (configuration section <c>Limits</c>); see the README's Security section.</summary>
public sealed class ConnectionLimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>The default cap on connections, before the descriptor limit is applied.</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>
    /// Open connections at most, both listeners together. Unset: 10 000. Either way at most the process's
    /// descriptor limit (RLIMIT_NOFILE) minus <see cref="ReservedFileDescriptors"/>, so accepted connections
    /// cannot use up the descriptors the process needs for anything else.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>Descriptors kept for everything but client connections (assemblies, Redis, upstreams, logs). Default 512.</summary>
    public int ReservedFileDescriptors { get; set; } = 512;

    /// <summary>Connections upgraded to another protocol (WebSockets); Calc serves none. Default 0.</summary>
    public int MaxUpgradedConnections { get; set; }

    /// <summary>Open connections per client address (IPv6: per /64); 0 = no per-address cap. Default 1 000.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 1_000;

    /// <summary>
    /// HTTP/2 rapid reset: a connection is closed once its client has reset more than this many streams within a
    /// second of opening them and those are at least half of its streams. Default 100; 0 = off.
    /// </summary>
    public int PrematureResetLimit { get; set; } = 100;

    /// <summary>How long the address of a connection closed for rapid reset may open no new connection. Default 10 s; 0 = none.</summary>
    public TimeSpan RapidResetPenalty { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no request in progress is closed after this long (Kestrel's default 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>Longest time to receive a request's headers (HTTP/1.1 header lines; HTTP/2 HEADERS + CONTINUATION). Default 10 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Minimum request body rate after the grace period (Kestrel's default 240 bytes/s; gRPC streams are exempt). 0 = none.</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum rate at which a client must read responses (Kestrel's default 240 bytes/s). 0 = none.</summary>
    public double MinResponseBytesPerSecond { get; set; } = 240;

    public TimeSpan MinResponseGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest HTTP/2 frame payload the server accepts (SETTINGS_MAX_FRAME_SIZE; Kestrel's default 16 KiB).</summary>
    public int Http2MaxFrameSize { get; set; } = 16 * 1024;

    /// <summary>
    /// Largest single request header field after HPACK decoding (Kestrel's default 32 KiB): each HTTP/2 connection's
    /// decoder grows a buffer up to it, so half of that halves what a connection flood can make the decoders hold.
    /// </summary>
    public int Http2MaxRequestHeaderFieldSize { get; set; } = 16 * 1024;

    /// <summary>HPACK dynamic table size the server decodes with (SETTINGS_HEADER_TABLE_SIZE; Kestrel's default 4 KiB).</summary>
    public int Http2HeaderTableSize { get; set; } = 4096;

    /// <summary>
    /// Kestrel's rapid-reset guard: ENHANCE_YOUR_CALM refusals a connection may earn per second (averaged over
    /// 5 s) before it is closed. Unset: Kestrel's own default (20). 0 disables the guard.
    /// </summary>
    public int? Http2MaxEnhanceYourCalmCount { get; set; }
}

/// <summary>
/// Listen addresses and Kestrel's limits. Kestrel serves cleartext HTTP/2 only on an HTTP/2-only endpoint (prior
/// knowledge; there is no ALPN without TLS), so Calc has two kinds of listener:
/// <list type="bullet">
/// <item><c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>): gRPC, h2c; https URLs negotiate HTTP/2 and
/// HTTP/1.1 by ALPN, so both protocols work there.</item>
/// <item><c>Http1Urls</c>: HTTP/1.1 for JSON (gRPC JSON transcoding: 1C's HTTP client, curl), <c>/health</c> and <c>/alive</c>.
/// Empty = none.</item>
/// </list>
/// https URLs use the certificate and client-certificate policy of <see cref="TlsSetup"/> (<c>Tls:*</c>). Limits
/// (<see cref="ConnectionLimitOptions"/>) are Kestrel's own, configured here, except the connection counts and the
/// rapid-reset guard of <see cref="ConnectionAdmission"/>, a connection middleware, where Kestrel's fall short.
/// </summary>
public static class KestrelSetup
{
    public const string DefaultUrls = "http://127.0.0.1:5000";
    public const string DefaultHttp1Urls = "http://127.0.0.1:5001";

    /// <summary>How far above <c>Limits:MaxConnections</c> Kestrel's own per-listener cap is set (see <see cref="ConnectionAdmission"/>).</summary>
    public const int KestrelBackstopMargin = 64;

    private const string EnhanceYourCalmSwitch = "Microsoft.AspNetCore.Server.Kestrel.Http2.MaxEnhanceYourCalmCount";

    public static WebApplicationBuilder ConfigureCalcKestrel(this WebApplicationBuilder builder)
    {
        string urls = NonEmpty(builder.Configuration["urls"]) ?? DefaultUrls;
        string http1Urls = builder.Configuration["Http1Urls"] ?? DefaultHttp1Urls;
        var options = builder.Configuration.GetSection(ConnectionLimitOptions.SectionName).Get<ConnectionLimitOptions>() ?? new ConnectionLimitOptions();
        var connections = EffectiveConnectionLimit.From(options, FileDescriptorLimit());
        builder.Services.AddSingleton(connections);
        builder.Services.AddSingleton(sp => new ConnectionAdmission(options, connections, sp.GetRequiredService<ILogger<ConnectionAdmission>>()));
        if (options.Http2MaxEnhanceYourCalmCount is { } calm)
        {
            // read once by Kestrel's HTTP/2 connection type, before the first connection
            AppContext.SetData(EnhanceYourCalmSwitch, calm);
        }

        // every address is bound below with its protocol; clear the generic binding so Kestrel does not warn
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // HTTP/2 streams, keepalive pings and windows: the transport's own options (Grpc:*), one source of truth
            var grpc = new GrpcServerOptions();
            builder.Configuration.GetSection(GrpcServerOptions.SectionName).Bind(grpc);
            kestrel.ApplyGrpcLimits(grpc);
            ApplyLimits(kestrel.Limits, options, connections);
            // request size bounds on every non-gRPC path (JSON bodies); gRPC calls lift the body limit per call
            // and bound each message by Grpc:MaxReceiveMessageSize instead
            long messageLimit = grpc.MaxReceiveMessageSize;
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Limits:MaxRequestBodyBytes", messageLimit + (64 * 1024));
            kestrel.Limits.MaxRequestHeadersTotalSize = builder.Configuration.GetValue("Limits:MaxRequestHeadersBytes", 32 * 1024);
            kestrel.ConfigureHttpsDefaults(https => TlsSetup.Configure(https, builder.Configuration)); // Tls:* (https:// urls)
            // one count for every listener (Kestrel's own cap, kept as a backstop, counts each listener on its own)
            var admission = kestrel.ApplicationServices.GetRequiredService<ConnectionAdmission>();
            foreach (var url in Split(urls))
            {
                Listen(kestrel, url, HttpProtocols.Http2, admission);
            }

            foreach (var url in Split(http1Urls))
            {
                Listen(kestrel, url, HttpProtocols.Http1, admission);
            }
        });
        return builder;
    }

    /// <summary>
    /// The soft RLIMIT_NOFILE of this process (the .NET runtime raises it to the hard limit at startup), from
    /// <c>/proc/self/limits</c>; null where there is no such file (not Linux) or no limit.
    /// </summary>
    public static long? FileDescriptorLimit()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
            }
        }

        return null;
    }

    private static void ApplyLimits(KestrelServerLimits limits, ConnectionLimitOptions options, EffectiveConnectionLimit connections)
    {
        // a backstop only: ConnectionAdmission counts all listeners together and closes a connection over the cap
        // before Kestrel's count (per listener) gets there; the margin covers connections being closed meanwhile
        limits.MaxConcurrentConnections = connections.MaxConnections + KestrelBackstopMargin;
        limits.MaxConcurrentUpgradedConnections = options.MaxUpgradedConnections;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(options.MinRequestBodyBytesPerSecond, options.MinRequestBodyGracePeriod) : null;
        limits.MinResponseDataRate = options.MinResponseBytesPerSecond > 0
            ? new MinDataRate(options.MinResponseBytesPerSecond, options.MinResponseGracePeriod) : null;
        limits.Http2.MaxFrameSize = options.Http2MaxFrameSize;
        limits.Http2.MaxRequestHeaderFieldSize = options.Http2MaxRequestHeaderFieldSize;
        limits.Http2.HeaderTableSize = options.Http2HeaderTableSize;
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols cleartextProtocols, ConnectionAdmission admission)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        bool https = uri.Scheme == Uri.UriSchemeHttps;
        Action<ListenOptions> configure = o =>
        {
            o.Protocols = https ? HttpProtocols.Http1AndHttp2 : cleartextProtocols;
            // first, so a refused connection costs no TLS handshake
            o.Use(admission.Wrap);

            if (https)
            {
                o.UseHttps();
            }
        };
        if (uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, configure);
        }
        else if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, uri.Port, configure);
        }
        else
        {
            throw new InvalidOperationException($"listen address '{url}' must use an IP address or localhost");
        }
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string[] Split(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The connection cap in force and how it was chosen (logged at startup, read by the tests through the log).</summary>
public sealed record EffectiveConnectionLimit(int MaxConnections, int? Configured, long? FileDescriptorLimit, int Reserved)
{
    public static EffectiveConnectionLimit From(ConnectionLimitOptions options, long? fileDescriptorLimit)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxConnections is <= 0 || options.ReservedFileDescriptors < 0 || options.MaxUpgradedConnections < 0 || options.MaxConnectionsPerAddress < 0
            || options.PrematureResetLimit < 0)
        {
            throw new InvalidOperationException("Limits:MaxConnections must be positive; Limits:ReservedFileDescriptors, Limits:MaxUpgradedConnections, "
                + "Limits:MaxConnectionsPerAddress and Limits:PrematureResetLimit must not be negative");
        }

        long wanted = options.MaxConnections ?? ConnectionLimitOptions.DefaultMaxConnections;
        if (fileDescriptorLimit is { } fds)
        {
            // upgraded connections leave the normal count, so both share the descriptors left after the reserve
            long available = fds - options.ReservedFileDescriptors - options.MaxUpgradedConnections;
            if (available < 1)
            {
                throw new InvalidOperationException($"the descriptor limit (RLIMIT_NOFILE {fds}) leaves no room for connections after "
                    + $"Limits:ReservedFileDescriptors ({options.ReservedFileDescriptors}) and Limits:MaxUpgradedConnections ({options.MaxUpgradedConnections}); "
                    + "raise the limit (ulimit -n, LimitNOFILE=, docker --ulimit nofile=) or lower the reserve");
            }

            wanted = Math.Min(wanted, available);
        }

        return new EffectiveConnectionLimit((int)wanted, options.MaxConnections, fileDescriptorLimit, options.ReservedFileDescriptors);
    }

    public override string ToString() =>
        $"{MaxConnections} connections ({(Configured is { } c ? $"Limits:MaxConnections {c}" : $"default {ConnectionLimitOptions.DefaultMaxConnections}")}"
        + (FileDescriptorLimit is { } fds ? $", RLIMIT_NOFILE {fds} - {Reserved} reserved" : ", no descriptor limit known") + ")";
}
