using System.Buffers;
using System.Buffers.Binary;

namespace Calc.Transport.Grpc.Protocol;

/// <summary>
/// Length-prefixed messages (PROTOCOL-HTTP2.md "Length-Prefixed-Message"): a 1-byte compressed flag (0 or 1),
/// a 4-byte big-endian length, then the payload. A message may be split across DATA frames at any byte, and
/// one read may hold several messages; the reader works on a <see cref="ReadOnlySequence{T}"/> for that.
/// </summary>
internal static class MessageFraming
{
    /// <summary>
    /// Takes one whole message from the front of <paramref name="buffer"/>. Returns false (buffer untouched)
    /// when more bytes are needed. Throws <see cref="RpcException"/> RESOURCE_EXHAUSTED as soon as a header
    /// announces more than <paramref name="maxMessageSize"/> bytes, and INTERNAL for a flag other than 0/1.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out bool compressed,
        out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw GrpcStatuses.Exception(GrpcStatuses.InvalidCompressedFlag),
        };

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw GrpcStatuses.ReceiveLimitExceeded(length, maxMessageSize);
        }

        if (buffer.Length < GrpcProtocol.HeaderSize + length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Writes the 5-byte header.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }
}
