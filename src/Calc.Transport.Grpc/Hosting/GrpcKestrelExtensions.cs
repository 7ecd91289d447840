using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Calc.Transport.Grpc;

/// <summary>
/// Kestrel settings for gRPC, shared by Calc.Server and the interop server so both run the same transport.
/// Cleartext: Kestrel cannot offer h2c with prior knowledge on an HTTP/1.1+HTTP/2 endpoint (no ALPN without
/// TLS), so the gRPC port is HTTP/2 only and HTTP/1.1 JSON clients get their own port. With a
/// certificate, one port serves both (ALPN picks h2 or http/1.1).
/// </summary>
public static class GrpcKestrelExtensions
{
    /// <summary>HTTP/2 limits from <paramref name="options"/>: max concurrent streams, keepalive pings, windows.</summary>
    public static KestrelServerOptions ApplyGrpcLimits(this KestrelServerOptions kestrel, GrpcServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        var http2 = kestrel.Limits.Http2;
        http2.MaxStreamsPerConnection = options.MaxConcurrentStreams;
        http2.KeepAlivePingDelay = options.KeepAlivePingDelay ?? TimeSpan.MaxValue;
        http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        http2.InitialStreamWindowSize = options.InitialStreamWindowSize;
        http2.InitialConnectionWindowSize = Math.Max(options.InitialConnectionWindowSize, options.InitialStreamWindowSize);
        kestrel.AddServerHeader = false;
        return kestrel;
    }

    /// <summary>Listens for gRPC on <paramref name="port"/>: h2c (HTTP/2 only), or TLS h2 + http/1.1 when a certificate is configured.</summary>
    public static void ListenGrpc(this KestrelServerOptions kestrel, IPAddress address, int port, GrpcServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        var certificate = LoadCertificate(options);
        kestrel.Listen(address, port, listen =>
        {
            if (certificate is null)
            {
                listen.Protocols = HttpProtocols.Http2;
            }
            else
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            }
        });
    }

    /// <summary>A cleartext HTTP/1.1 listener, for JSON calls from clients without HTTP/2 (1C).</summary>
    public static void ListenHttp1(this KestrelServerOptions kestrel, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http1);
    }

    /// <summary>
    /// Configures Kestrel from the <c>Grpc</c> configuration section: limits, the gRPC port
    /// (<c>Grpc:Address</c>, <c>Grpc:Port</c>, TLS via <c>Grpc:CertificatePath</c>) and the optional
    /// HTTP/1.1 JSON port (<c>Grpc:Http1Port</c>).
    /// </summary>
    public static IWebHostBuilder ConfigureCalcGrpcKestrel(this IWebHostBuilder webHost, IConfiguration configuration,
        Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(webHost);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new GrpcServerOptions();
        configuration.GetSection(GrpcServerOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        return webHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(options.Address);
            kestrel.ApplyGrpcLimits(options);
            kestrel.ListenGrpc(address, options.Port, options);
            if (options.Http1Port is { } http1)
            {
                kestrel.ListenHttp1(address, http1);
            }
        });
    }

    private static X509Certificate2? LoadCertificate(GrpcServerOptions options)
    {
        if (string.IsNullOrEmpty(options.CertificatePath))
        {
            return null;
        }

        var path = options.CertificatePath;
        if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }

        return string.IsNullOrEmpty(options.CertificateKeyPath)
            ? X509Certificate2.CreateFromPemFile(path)
            : X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath);
    }
}
