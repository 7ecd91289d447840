using System.Buffers;
using System.IO.Compression;

namespace Calc.Transport.Grpc.Protocol;

/// <summary>gzip for message compression (grpc/grpc doc/compression.md); the output size is bounded on decompress.</summary>
internal static class GzipCodec
{
    /// <summary>Decompresses; throws RESOURCE_EXHAUSTED when the result would exceed <paramref name="maxSize"/>.</summary>
    public static byte[] Decompress(in ReadOnlySequence<byte> compressed, int maxSize)
    {
        using var input = new SequenceStream(compressed);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + n > maxSize)
                {
                    throw GrpcStatuses.ReceiveLimitExceeded((ulong)(output.Length + n), maxSize, decompressed: true);
                }

                output.Write(chunk, 0, n);
            }
        }
        catch (InvalidDataException)
        {
            throw GrpcStatuses.Exception(GrpcStatuses.CorruptCompressedMessage);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return output.ToArray();
    }

    public static byte[] Compress(ReadOnlySpan<byte> data, CompressionLevel level)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A read-only stream over a <see cref="ReadOnlySequence{T}"/>, so GZipStream can read split frames.</summary>
    private sealed class SequenceStream(ReadOnlySequence<byte> sequence) : Stream
    {
        private ReadOnlySequence<byte> _rest = sequence;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _rest.Length);
            _rest.Slice(0, n).CopyTo(buffer);
            _rest = _rest.Slice(n);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
