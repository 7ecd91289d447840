using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;

namespace Calc.Server.Hosting;

/// <summary>
/// Who is calling, for limits and audit, decided from the HTTP request before any of it is read: the client
/// certificate's subject when mutual TLS presented one (<c>cert:CN=…</c>), else the name of a valid API key in
/// <c>x-api-key</c> or <c>authorization: Bearer …</c> (<c>key:name</c>), else the peer address
/// (<c>ip:127.0.0.1</c>). Never the key itself; a key that is not valid names nobody, so the caller is its
/// address (the key check refuses the call later). An IPv6 peer is its /64 network
/// (<c>ip:2001:db8:1:2::/64</c>): one host commonly holds a whole /64, so a per-address limit on single IPv6
/// addresses would not hold it.
/// </summary>
public static class CallerIdentity
{
    /// <summary>The caller of <paramref name="http"/>; <paramref name="addressCaller"/> is its connection's <c>ip:…</c> when already known.</summary>
    public static string Of(HttpContext http, ApiKeyInterceptor? keys, string? addressCaller = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        // the TLS feature as the connection has it: ConnectionInfo.ClientCertificate would add an empty one to every
        // plain-text request's features (an allocation and a feature-collection change per call)
        if (http.Features.Get<ITlsConnectionFeature>()?.ClientCertificate is { } certificate)
        {
            return "cert:" + certificate.Subject;
        }

        if (keys is { Enabled: true } && PresentedKey(http.Request.Headers) is { } presented && keys.NameOf(presented) is { } name)
        {
            return "key:" + name;
        }

        return addressCaller ?? "ip:" + AddressKey(http.Connection.RemoteIpAddress);
    }

    /// <summary>The key a request presents: <c>x-api-key</c>, else the token of <c>authorization: Bearer …</c>.</summary>
    public static string? PresentedKey(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers["x-api-key"].ToString() is { Length: > 0 } key)
        {
            return key;
        }

        string authorization = headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization[7..].Trim() is { Length: > 0 } token ? token : null;
    }

    /// <summary>
    /// The address as limits count it: IPv4 as is (also when it arrives IPv4-mapped on a dual-stack socket),
    /// IPv6 as its /64 network.
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
