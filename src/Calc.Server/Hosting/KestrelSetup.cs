using System.Net;
using Calc.Transport.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Calc.Server.Hosting;

/// <summary>
/// Listen addresses. Kestrel serves cleartext HTTP/2 only on an HTTP/2-only endpoint (prior knowledge;
/// there is no ALPN without TLS), so Calc has two kinds of listener:
/// <list type="bullet">
/// <item><c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>): gRPC, h2c; https URLs negotiate HTTP/2 and
/// HTTP/1.1 by ALPN, so both protocols work there.</item>
/// <item><c>Http1Urls</c>: HTTP/1.1 for JSON (gRPC JSON transcoding: 1C's HTTP client, curl), <c>/health</c> and <c>/alive</c>.
/// Empty = none.</item>
/// </list>
/// https URLs use the certificate and client-certificate policy of <see cref="TlsSetup"/> (<c>Tls:*</c>).
/// </summary>
public static class KestrelSetup
{
    public const string DefaultUrls = "http://127.0.0.1:5000";
    public const string DefaultHttp1Urls = "http://127.0.0.1:5001";

    public static WebApplicationBuilder ConfigureCalcKestrel(this WebApplicationBuilder builder)
    {
        string urls = NonEmpty(builder.Configuration["urls"]) ?? DefaultUrls;
        string http1Urls = builder.Configuration["Http1Urls"] ?? DefaultHttp1Urls;
        // every address is bound below with its protocol; clear the generic binding so Kestrel does not warn
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // HTTP/2 streams, keepalive pings and windows: the transport's own options (Grpc:*), one source of truth
            var grpc = new GrpcServerOptions();
            builder.Configuration.GetSection(GrpcServerOptions.SectionName).Bind(grpc);
            kestrel.ApplyGrpcLimits(grpc);
            // request size bounds on every non-gRPC path (JSON bodies); gRPC calls lift the body limit per call
            // and bound each message by Grpc:MaxReceiveMessageSize instead
            long messageLimit = grpc.MaxReceiveMessageSize;
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Limits:MaxRequestBodyBytes", messageLimit + (64 * 1024));
            kestrel.Limits.MaxRequestHeadersTotalSize = builder.Configuration.GetValue("Limits:MaxRequestHeadersBytes", 32 * 1024);
            kestrel.ConfigureHttpsDefaults(https => TlsSetup.Configure(https, builder.Configuration)); // Tls:* (https:// urls)
            foreach (var url in Split(urls))
            {
                Listen(kestrel, url, HttpProtocols.Http2);
            }

            foreach (var url in Split(http1Urls))
            {
                Listen(kestrel, url, HttpProtocols.Http1);
            }
        });
        return builder;
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string url, HttpProtocols cleartextProtocols)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        bool https = uri.Scheme == Uri.UriSchemeHttps;
        Action<ListenOptions> configure = o =>
        {
            o.Protocols = https ? HttpProtocols.Http1AndHttp2 : cleartextProtocols;
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
