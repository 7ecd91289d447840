using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;

namespace Calc.Adapters.Redis.Client;

/// <summary>RESP protocol version to negotiate.</summary>
public enum RedisProtocol
{
    /// <summary>Try <c>HELLO 3</c>; fall back to RESP2 when the server does not know it (the default).</summary>
    Resp3,
    /// <summary>Plain RESP2, <c>AUTH</c> and <c>CLIENT SETNAME</c>; never sends <c>HELLO</c>.</summary>
    Resp2,
}

/// <summary>
/// Connection settings, read from the configuration string shape StackExchange.Redis operators know:
/// <c>host:port[,host:port],password=…,user=…,ssl=true,sslHost=…,defaultDatabase=2,connectTimeout=5000,
/// syncTimeout=1000,asyncTimeout=1000,abortConnect=false,name=calc,protocol=resp3,keepAlive=60</c>.
/// A unix domain socket is given as its absolute path (<c>/run/redis/redis.sock</c>) or <c>unix:/path</c>.
/// Keys are case-insensitive; an unknown key is an error, not silently ignored.
/// </summary>
public sealed class RedisOptions
{
    public List<RedisEndpoint> Endpoints { get; } = [];

    public string? User { get; set; }

    public string? Password { get; set; }

    public bool Ssl { get; set; }

    /// <summary>Name checked against the server certificate; defaults to the endpoint host.</summary>
    public string? SslHost { get; set; }

    public SslProtocols SslProtocols { get; set; } = SslProtocols.None;

    /// <summary>Custom certificate validation (a private CA, a pinned certificate); default: the OS trust store.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    public int DefaultDatabase { get; set; }

    /// <summary>Socket connect, TLS and handshake, together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time a command waits for its reply. StackExchange.Redis defaults to 5 s; a cache miss is cheaper than a
    /// wait, so this client defaults to 1 s. <c>syncTimeout</c> and <c>asyncTimeout</c> both set it.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When true, the first connect must succeed or <see cref="RedisClient.ConnectAsync"/> throws.</summary>
    public bool AbortOnConnectFail { get; set; }

    /// <summary>Sent as <c>CLIENT SETNAME</c> (visible in <c>CLIENT LIST</c>).</summary>
    public string? ClientName { get; set; }

    public RedisProtocol Protocol { get; set; } = RedisProtocol.Resp3;

    /// <summary>TCP keep-alive idle time; also the limit after which an unanswered connection is presumed dead.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First reconnect delay; doubles per failed attempt (with ±20 % jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public static RedisOptions Parse(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = new RedisOptions();
        foreach (var raw in configuration.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || raw.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || raw.StartsWith('/'))
            {
                options.Endpoints.Add(RedisEndpoint.Parse(raw));
                continue;
            }

            options.Apply(raw[..eq].Trim(), raw[(eq + 1)..].Trim());
        }

        if (options.Endpoints.Count == 0)
        {
            throw new FormatException("the Redis configuration names no endpoint (expected e.g. \"localhost:6379,abortConnect=false\")");
        }

        return options;
    }

    /// <summary>The configuration string without secrets, for logs.</summary>
    public override string ToString()
    {
        var parts = Endpoints.Select(e => e.ToString()).ToList();
        if (User is not null)
        {
            parts.Add("user=" + User);
        }

        if (Password is not null)
        {
            parts.Add("password=*****");
        }

        if (Ssl)
        {
            parts.Add("ssl=true");
        }

        parts.Add("defaultDatabase=" + DefaultDatabase.ToString(CultureInfo.InvariantCulture));
        return string.Join(',', parts);
    }

    private void Apply(string key, string value)
    {
        switch (key.ToUpperInvariant())
        {
            case "PASSWORD":
                Password = value;
                break;
            case "USER":
                User = value;
                break;
            case "SSL":
                Ssl = ParseBool(key, value);
                break;
            case "SSLHOST":
                SslHost = value;
                break;
            case "SSLPROTOCOLS":
                SslProtocols = Enum.Parse<SslProtocols>(value.Replace('|', ','), ignoreCase: true);
                break;
            case "DEFAULTDATABASE":
                DefaultDatabase = ParseInt(key, value, 0, 1 << 20);
                break;
            case "CONNECTTIMEOUT":
                ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, int.MaxValue));
                break;
            case "SYNCTIMEOUT":
            case "ASYNCTIMEOUT":
                CommandTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, int.MaxValue));
                break;
            case "ABORTCONNECT":
                AbortOnConnectFail = ParseBool(key, value);
                break;
            case "NAME":
                ClientName = value.Length == 0 ? null : value;
                break;
            case "PROTOCOL":
                Protocol = value.ToUpperInvariant() switch
                {
                    "RESP3" or "3" => RedisProtocol.Resp3,
                    "RESP2" or "2" => RedisProtocol.Resp2,
                    _ => throw new FormatException("protocol must be resp2 or resp3, not \"" + value + "\""),
                };
                break;
            case "KEEPALIVE":
                KeepAlive = TimeSpan.FromSeconds(ParseInt(key, value, 1, 86400));
                break;
            default:
                throw new FormatException("unknown Redis configuration key \"" + key + "\"");
        }
    }

    private static bool ParseBool(string key, string value) =>
        bool.TryParse(value, out bool b) ? b : throw new FormatException(key + " must be true or false, not \"" + value + "\"");

    private static int ParseInt(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new FormatException(key + " must be an integer in [" + min.ToString(CultureInfo.InvariantCulture) + ", "
                + max.ToString(CultureInfo.InvariantCulture) + "], not \"" + value + "\"");
}

/// <summary>A TCP host and port, or a unix domain socket path (when <see cref="UnixPath"/> is set).</summary>
public sealed record RedisEndpoint(string Host, int Port, string? UnixPath = null)
{
    public const int DefaultPort = 6379;

    public static RedisEndpoint Parse(string text)
    {
        if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return new RedisEndpoint("localhost", 0, text[5..]);
        }

        if (text.StartsWith('/'))
        {
            return new RedisEndpoint("localhost", 0, text);
        }

        string host = text;
        string? portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? text[1..close] : throw new FormatException("unclosed [ in Redis endpoint \"" + text + "\"");
            portText = close + 1 < text.Length && text[close + 1] == ':' ? text[(close + 2)..] : null;
        }
        else if (text.Count(c => c == ':') == 1)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        int port = DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new FormatException("bad port in Redis endpoint \"" + text + "\"");
        }

        if (host.Length == 0)
        {
            throw new FormatException("empty host in Redis endpoint \"" + text + "\"");
        }

        return new RedisEndpoint(host, port);
    }

    public override string ToString() =>
        UnixPath ?? (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);
}
