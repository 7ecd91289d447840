using System.Security.Cryptography;
using System.Text;
using Calc.Transport.Grpc;

namespace Calc.Server.Hosting;

/// <summary>
/// API keys (configuration <c>Auth:ApiKeys</c>, or one key per line in the file <c>Auth:ApiKeysFile</c>):
/// entries <c>name=key</c> (may write) or <c>name=key=read</c> (reads only), separated by <c>;</c>. When any
/// key is configured, write methods (the imports) need a valid key in <c>x-api-key</c> or
/// <c>authorization: Bearer …</c>: none → UNAUTHENTICATED <c>API_KEY_MISSING</c>, an unknown key →
/// UNAUTHENTICATED <c>API_KEY_INVALID</c>, a read-only key → PERMISSION_DENIED <c>API_KEY_READ_ONLY</c>.
/// Reads stay open unless <c>Auth:RequireKeyForReads</c> is true; a key presented on a read is still checked
/// and its name is the caller identity for the per-caller limits (<see cref="CallerIdentity"/>). Keys are compared as SHA-256 digests in
/// constant time and never logged.
/// </summary>
public sealed class ApiKeyInterceptor : CallInterceptor
{
    private static readonly HashSet<string> WriteMethods = new(StringComparer.Ordinal)
    {
        "/calc.v1.QuoteService/ImportClosingPrices",
        "/calc.v1.QuoteService/ImportCbrRates",
    };

    public const string ApiKeyMissing = "API_KEY_MISSING";
    public const string ApiKeyInvalid = "API_KEY_INVALID";
    public const string ApiKeyReadOnly = "API_KEY_READ_ONLY";

    private readonly (string Name, byte[] Digest, bool CanWrite)[] _keys;
    private readonly bool _requireForReads;

    public ApiKeyInterceptor(IConfiguration configuration)
    {
        _keys = [.. ApiKeyEntries.Read(configuration).Select(e => (e.Name, SHA256.HashData(Encoding.UTF8.GetBytes(e.Key)), e.CanWrite))];
        _requireForReads = configuration.GetValue("Auth:RequireKeyForReads", false);
    }

    public bool Enabled => _keys.Length > 0;

    /// <summary>Without keys there is nothing to check: the call pipeline skips this hook.</summary>
    protected override bool IsActive => Enabled;

    protected override void OnCallStarting(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Enabled || !context.Method.StartsWith("/calc.v1.", StringComparison.Ordinal))
        {
            return;
        }

        bool write = WriteMethods.Contains(context.Method);
        bool required = write || _requireForReads;
        string? presented = context.RequestHeaders.GetValue("x-api-key");
        if (presented is null && context.RequestHeaders.GetValue("authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = auth[7..].Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            if (required)
            {
                throw Denied(StatusCode.Unauthenticated, ApiKeyMissing, $"{context.Method} needs an API key (x-api-key or authorization: Bearer)");
            }

            return;
        }

        // a presented key is always checked (also where none is required), and names the caller for limits
        var match = Find(presented) ?? throw Denied(StatusCode.Unauthenticated, ApiKeyInvalid, "the API key is not valid");
        if (write && !match.CanWrite)
        {
            throw Denied(StatusCode.PermissionDenied, ApiKeyReadOnly, $"API key '{match.Name}' may not call {context.Method} (read-only key)");
        }
    }

    /// <summary>The name of the configured key <paramref name="presented"/> is, or null (for <see cref="CallerIdentity"/>).</summary>
    public string? NameOf(string presented) => Find(presented)?.Name;

    private static RpcException Denied(StatusCode code, string reason, string message) =>
        GrpcErrors.Create(code, message, GrpcErrors.Info(reason));

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
}

/// <summary>The entries of <c>Auth:ApiKeys</c> and <c>Auth:ApiKeysFile</c>: what the key check compares against and what log redaction hides.</summary>
public static class ApiKeyEntries
{
    /// <summary>Every configured entry; a malformed one stops startup naming its name (never its key).</summary>
    public static IReadOnlyList<(string Name, string Key, bool CanWrite)> Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var entries = new List<string>();
        entries.AddRange((configuration["Auth:ApiKeys"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (configuration["Auth:ApiKeysFile"] is { Length: > 0 } file)
        {
            entries.AddRange(File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        return [.. entries.Select(Parse)];
    }

    private static (string, string, bool) Parse(string entry)
    {
        var parts = entry.Split('=');
        return parts.Length switch
        {
            2 when parts[1].Length > 0 => (parts[0], parts[1], true),
            3 when parts[1].Length > 0 && parts[2] is "read" or "write" => (parts[0], parts[1], parts[2] == "write"),
            _ => throw new InvalidOperationException($"Auth:ApiKeys entry '{parts[0]}=…' must be name=key or name=key=read"),
        };
    }
}
