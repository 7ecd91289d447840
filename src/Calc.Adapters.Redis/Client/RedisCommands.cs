using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Client;

/// <summary>When a SET may write.</summary>
internal enum SetCondition
{
    Always,
    /// <summary><c>NX</c>: only if the key does not exist.</summary>
    NotExists,
}

/// <summary>
/// Typed helpers for the commands the cache uses. Error replies become <see cref="RedisServerException"/>.
/// Batches (<see cref="RedisBatch"/>) carry the same commands when several must share one round trip.
/// </summary>
internal static class RedisCommands
{
    public static async ValueTask<byte[]?> GetAsync(this RedisClient client, string key, CancellationToken ct = default) =>
        Bytes(await client.ExecuteAsync(["GET", key], ct).ConfigureAwait(false));

    /// <summary>MGET: one reply per key, null where missing. All keys must share a slot on Redis Cluster.</summary>
    public static async ValueTask<byte[]?[]> MGetAsync(this RedisClient client, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        var args = new RedisArg[keys.Count + 1];
        args[0] = "MGET";
        for (int i = 0; i < keys.Count; i++)
        {
            args[i + 1] = keys[i];
        }

        return BytesArray(await client.ExecuteAsync(args, ct).ConfigureAwait(false), keys.Count);
    }

    /// <summary>SET with optional EX (whole seconds) and NX; true when written (false: NX and the key existed).</summary>
    public static async ValueTask<bool> SetAsync(
        this RedisClient client, string key, RedisArg value, TimeSpan? expiry = null, SetCondition when = SetCondition.Always,
        CancellationToken ct = default)
    {
        var batch = new RedisBatch();
        AddSet(batch, key, value, expiry, when);
        var reply = (await client.ExecuteAsync(batch, ct).ConfigureAwait(false))[0];
        return SetResult(reply);
    }

    public static void AddSet(RedisBatch batch, string key, RedisArg value, TimeSpan? expiry, SetCondition when)
    {
        long seconds = expiry is { } e ? Math.Max(1, (long)Math.Ceiling(e.TotalSeconds)) : 0;
        switch ((expiry is not null, when))
        {
            case (false, SetCondition.Always):
                batch.Add("SET", key, value);
                break;
            case (false, SetCondition.NotExists):
                batch.Add("SET", key, value, "NX");
                break;
            case (true, SetCondition.Always):
                batch.Add("SET", key, value, "EX", seconds);
                break;
            default:
                batch.Add("SET", key, value, "EX", seconds, "NX");
                break;
        }
    }

    /// <summary>Reads a SET reply: OK → true, null (NX not met) → false, error → exception.</summary>
    public static bool SetResult(in RespValue reply) => reply.Kind switch
    {
        RespKind.Null => false,
        RespKind.Error => throw new RedisServerException(reply.ErrorMessage),
        _ => true,
    };

    public static async ValueTask MSetAsync(this RedisClient client, IReadOnlyList<KeyValuePair<string, string>> pairs, CancellationToken ct = default)
    {
        var args = new RedisArg[(pairs.Count * 2) + 1];
        args[0] = "MSET";
        for (int i = 0; i < pairs.Count; i++)
        {
            args[(2 * i) + 1] = pairs[i].Key;
            args[(2 * i) + 2] = pairs[i].Value;
        }

        Check(await client.ExecuteAsync(args, ct).ConfigureAwait(false));
    }

    public static async ValueTask<byte[]?> HGetAsync(this RedisClient client, string key, string field, CancellationToken ct = default) =>
        Bytes(await client.ExecuteAsync(["HGET", key, field], ct).ConfigureAwait(false));

    public static async ValueTask<byte[]?[]> HMGetAsync(this RedisClient client, string key, IReadOnlyList<string> fields, CancellationToken ct = default)
    {
        var args = new RedisArg[fields.Count + 2];
        args[0] = "HMGET";
        args[1] = key;
        for (int i = 0; i < fields.Count; i++)
        {
            args[i + 2] = fields[i];
        }

        return BytesArray(await client.ExecuteAsync(args, ct).ConfigureAwait(false), fields.Count);
    }

    /// <summary>HSET; returns the number of fields that were added (not updated).</summary>
    public static async ValueTask<long> HSetAsync(this RedisClient client, string key, IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken ct = default)
    {
        var args = new RedisArg[(fields.Count * 2) + 2];
        args[0] = "HSET";
        args[1] = key;
        for (int i = 0; i < fields.Count; i++)
        {
            args[(2 * i) + 2] = fields[i].Key;
            args[(2 * i) + 3] = fields[i].Value;
        }

        return Integer(await client.ExecuteAsync(args, ct).ConfigureAwait(false));
    }

    public static async ValueTask<bool> ExpireAsync(this RedisClient client, string key, TimeSpan ttl, CancellationToken ct = default) =>
        Integer(await client.ExecuteAsync(["EXPIRE", key, Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds))], ct).ConfigureAwait(false)) == 1;

    /// <summary>Remaining time to live in seconds: −1 no expiry, −2 no such key.</summary>
    public static async ValueTask<long> TtlAsync(this RedisClient client, string key, CancellationToken ct = default) =>
        Integer(await client.ExecuteAsync(["TTL", key], ct).ConfigureAwait(false));

    public static async ValueTask<long> DelAsync(this RedisClient client, string key, CancellationToken ct = default) =>
        Integer(await client.ExecuteAsync(["DEL", key], ct).ConfigureAwait(false));

    public static async ValueTask<long> ExistsAsync(this RedisClient client, string key, CancellationToken ct = default) =>
        Integer(await client.ExecuteAsync(["EXISTS", key], ct).ConfigureAwait(false));

    public static async ValueTask<string?> PingAsync(this RedisClient client, CancellationToken ct = default) =>
        Check(await client.ExecuteAsync(["PING"], ct).ConfigureAwait(false)).AsString();

    /// <summary>One SCAN step; iterate until the returned cursor is 0.</summary>
    public static async ValueTask<(long Cursor, string[] Keys)> ScanAsync(
        this RedisClient client, long cursor, string match, int count, CancellationToken ct = default)
    {
        var reply = Check(await client.ExecuteAsync(["SCAN", cursor, "MATCH", match, "COUNT", (long)count], ct).ConfigureAwait(false));
        var items = reply.Items;
        if (items.Length != 2 || !long.TryParse(items[0].Bytes, out long next))
        {
            throw new RedisServerException("unexpected SCAN reply " + reply);
        }

        return (next, items[1].Items.Select(k => k.AsString()!).ToArray());
    }

    public static RespValue Check(in RespValue reply) =>
        reply.IsError ? throw new RedisServerException(reply.ErrorMessage) : reply;

    public static byte[]? Bytes(in RespValue reply) => reply.Kind switch
    {
        RespKind.Null => null,
        RespKind.Error => throw new RedisServerException(reply.ErrorMessage),
        _ => reply.ByteArray ?? throw new RedisServerException("expected a string reply, got " + reply),
    };

    public static byte[]?[] BytesArray(in RespValue reply, int expected)
    {
        var items = Check(reply).Items;
        if (items.Length != expected)
        {
            throw new RedisServerException("expected " + expected + " replies, got " + items.Length);
        }

        var result = new byte[]?[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            result[i] = Bytes(items[i]);
        }

        return result;
    }

    public static long Integer(in RespValue reply) =>
        Check(reply).Kind == RespKind.Integer ? reply.IntegerValue : throw new RedisServerException("expected an integer reply, got " + reply);
}
