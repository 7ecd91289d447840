using Calc.Transport.Grpc;

namespace Calc.Server.Hosting;

/// <summary>
/// Who is calling, for limits and audit: the client certificate's subject when mutual TLS presented one
/// (<c>cert:CN=…</c>), else the name of a valid API key (<c>key:name</c>, set by <see cref="ApiKeyInterceptor"/>),
/// else the peer address (<c>ip:127.0.0.1</c>). Never the key itself.
/// </summary>
public static class CallerIdentity
{
    private const string ItemKey = "calc.caller.key";

    public static string Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        if (http.Connection.ClientCertificate is { } certificate)
        {
            return "cert:" + certificate.Subject;
        }

        if (http.Items.TryGetValue(ItemKey, out var name) && name is string keyName)
        {
            return "key:" + keyName;
        }

        return "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    /// <summary>Records the name of the API key that authenticated this call.</summary>
    public static void SetApiKeyName(ServerCallContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.GetHttpContext().Items[ItemKey] = name;
    }
}
