using System.Security.Cryptography;
using System.Text;
using Calc.Transport.Grpc;

namespace Calc.Server.Hosting;

/// <summary>
/// API keys (configuration <c>Auth:ApiKeys</c>, or one key per line in the file <c>Auth:ApiKeysFile</c>):
/// entries <c>name=key</c> (may write) or <c>name=key=read</c> (reads only), separated by <c>;</c>. When any
/// key is configured, write methods (the imports) need a valid key in <c>x-api-key</c> or
/// <c>authorization: Bearer …</c>: none or an unknown key → UNAUTHENTICATED, a read-only key → PERMISSION_DENIED.
/// Reads stay open unless <c>Auth:RequireKeyForReads</c> is true. Keys are compared as SHA-256 digests in
/// constant time and never logged.
/// </summary>
public sealed class ApiKeyInterceptor : IGrpcServerInterceptor
{
    private static readonly HashSet<string> WriteMethods = new(StringComparer.Ordinal)
    {
        "/calc.v1.QuoteService/ImportClosingPrices",
        "/calc.v1.QuoteService/ImportCbrRates",
    };

    private readonly (string Name, byte[] Digest, bool CanWrite)[] _keys;
    private readonly bool _requireForReads;

    public ApiKeyInterceptor(IConfiguration configuration)
    {
        var entries = new List<string>();
        entries.AddRange((configuration["Auth:ApiKeys"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (configuration["Auth:ApiKeysFile"] is { Length: > 0 } file)
        {
            entries.AddRange(File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        _keys = entries.Select(Parse).ToArray();
        _requireForReads = configuration.GetValue("Auth:RequireKeyForReads", false);
    }

    public bool Enabled => _keys.Length > 0;

    public ValueTask OnCallStartingAsync(ServerCallContext context)
    {
        bool write = WriteMethods.Contains(context.Method);
        if (!Enabled || (!write && !_requireForReads) || !context.Method.StartsWith("/calc.v1.", StringComparison.Ordinal))
        {
            return ValueTask.CompletedTask;
        }

        string? presented = context.RequestHeaders.GetValue("x-api-key");
        if (presented is null && context.RequestHeaders.GetValue("authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = auth[7..].Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{context.Method} needs an API key (x-api-key or authorization: Bearer)"));
        }

        var match = Find(presented);
        if (match is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key is not valid"));
        }

        if (write && !match.Value.CanWrite)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"API key '{match.Value.Name}' may not call {context.Method} (read-only key)"));
        }

        return ValueTask.CompletedTask;
    }

    public void OnCallCompleted(ServerCallContext context, Status status, TimeSpan elapsed)
    {
    }

    private (string Name, bool CanWrite)? Find(string presented)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        (string, bool)? found = null;
        foreach (var key in _keys)
        {
            // every key is compared, so the time does not depend on which one matches
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest))
            {
                found = (key.Name, key.CanWrite);
            }
        }

        return found;
    }

    private static (string, byte[], bool) Parse(string entry)
    {
        var parts = entry.Split('=');
        return parts.Length switch
        {
            2 when parts[1].Length > 0 => (parts[0], SHA256.HashData(Encoding.UTF8.GetBytes(parts[1])), true),
            3 when parts[1].Length > 0 && parts[2] is "read" or "write" => (parts[0], SHA256.HashData(Encoding.UTF8.GetBytes(parts[1])), parts[2] == "write"),
            _ => throw new InvalidOperationException($"Auth:ApiKeys entry '{parts[0]}=…' must be name=key or name=key=read"),
        };
    }
}
