using Microsoft.AspNetCore.Http;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// Custom metadata ⇄ HTTP/2 headers (PROTOCOL-HTTP2.md "Custom-Metadata"): ASCII values as they are,
/// <c>-bin</c> values base64 (accepted padded or not, sent unpadded); transport headers are not metadata.
/// </summary>
internal static class MetadataCodec
{
    public static Metadata FromHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers)
        {
            if (IsTransportHeader(key))
            {
                continue;
            }

            var binary = key.EndsWith(Metadata.BinarySuffix, StringComparison.OrdinalIgnoreCase);
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                if (!binary)
                {
                    metadata.Add(key, value);
                    continue;
                }

                // several binary values may arrive comma-joined in one header
                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
                {
                    metadata.Add(key, FromBase64(part));
                }
            }
        }

        return metadata;
    }

    public static void AddTo(IHeaderDictionary target, Metadata? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return;
        }

        foreach (var entry in metadata)
        {
            if (entry.Key.StartsWith("grpc-", StringComparison.Ordinal) || entry.Key.StartsWith(':'))
            {
                continue; // reserved for the transport
            }

            var value = entry.ValueBytes is { } bytes ? ToBase64(bytes) : entry.Value ?? "";
            target.Append(entry.Key, value);
        }
    }

    public static bool IsTransportHeader(string key) =>
        key.StartsWith(':')
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals("te", StringComparison.OrdinalIgnoreCase)
        || key.Equals("host", StringComparison.OrdinalIgnoreCase)
        || key.Equals("grpc-timeout", StringComparison.OrdinalIgnoreCase)
        || key.Equals("grpc-encoding", StringComparison.OrdinalIgnoreCase)
        || key.Equals("grpc-accept-encoding", StringComparison.OrdinalIgnoreCase);

    /// <summary>Unpadded standard base64 (what gRPC implementations should emit).</summary>
    public static string ToBase64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Standard base64, padded or not; a malformed value is an INTERNAL protocol error.</summary>
    public static byte[] FromBase64(string value)
    {
        var s = value.Trim();
        var pad = (4 - (s.Length % 4)) % 4;
        if (pad == 3)
        {
            throw new RpcException(new Status(StatusCode.Internal, "malformed base64 in -bin metadata"));
        }

        var padded = pad == 0 ? s : s + new string('=', pad);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "malformed base64 in -bin metadata"));
        }
    }
}
