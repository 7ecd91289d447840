using System.Buffers;
using System.IO.Compression;
using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Connect;
using Calc.Transport.Grpc.Protocol;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Calc.Transport.Grpc.Tests.Protocol;

public sealed class MetadataAndCompressionTests
{
    [Theory]
    [InlineData("q6ur", "ABABAB")]       // unpadded, what gRPC implementations should send
    [InlineData("AQ==", "01")]           // padded
    [InlineData("AQ", "01")]             // the same, unpadded
    [InlineData("AQI", "0102")]
    [InlineData("", "")]
    public void FromBase64_PaddedOrNot_SameBytes(string wire, string hex)
    {
        Assert.Equal(Convert.FromHexString(hex), MetadataCodec.FromBase64(wire));
    }

    [Theory]
    [InlineData("A")]          // a single base64 char can never be complete
    [InlineData("q6u*")]
    public void FromBase64_Malformed_InternalStatus(string wire)
    {
        var error = Assert.Throws<RpcException>(() => MetadataCodec.FromBase64(wire));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public void FromHeaders_TransportHeadersSkippedBinaryDecodedCommaJoinedSplit()
    {
        // Arrange
        var headers = new HeaderDictionary
        {
            ["content-type"] = "application/grpc",
            ["te"] = "trailers",
            ["grpc-timeout"] = "1S",
            ["x-request-id"] = "r-1",
            ["x-ids-bin"] = "AQ==,AgM",
        };

        // Act
        var metadata = MetadataCodec.FromHeaders(headers).ToList();

        // Assert
        Assert.Equal(3, metadata.Count);
        Assert.Equal(new Metadata.Entry("x-request-id", "r-1", null), metadata[0]);
        Assert.Equal([0x01], metadata[1].ValueBytes);
        Assert.Equal([0x02, 0x03], metadata[2].ValueBytes);
    }

    [Fact]
    public void Decompress_SplitAtEveryOffset_SameBytes()
    {
        // Arrange
        var original = Enumerable.Range(0, 3000).Select(i => (byte)(i % 7)).ToArray();
        var compressed = GzipCodec.Compress(original, CompressionLevel.Optimal);

        foreach (var (plan, chunks) in Segments.Plans(compressed))
        {
            // Act
            var result = GzipCodec.Decompress(Segments.Sequence(chunks), maxSize: 3000);

            // Assert
            Assert.True(original.AsSpan().SequenceEqual(result), plan);
        }
    }

    [Fact]
    public void Decompress_BombOverTheLimit_ResourceExhaustedBeforeInflatingItAll()
    {
        var compressed = GzipCodec.Compress(new byte[10_000_000], CompressionLevel.Optimal);

        var error = Assert.Throws<RpcException>(() => GzipCodec.Decompress(new ReadOnlySequence<byte>(compressed), maxSize: 1024 * 1024));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("decompressed message", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("receive limit of 1048576 bytes", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decompress_NotGzip_Internal()
    {
        var error = Assert.Throws<RpcException>(() => GzipCodec.Decompress(new ReadOnlySequence<byte>([1, 2, 3, 4]), 100));

        Assert.Equal(GrpcStatuses.CorruptCompressedMessage, error.Status);
    }

    [Fact]
    public void ConnectEndStream_ErrorAndTrailers_Json()
    {
        var trailers = new Metadata { { "x-a", "1" }, { "x-a", "2" }, { "x-b-bin", new byte[] { 0xAB } } };

        var json = System.Text.Encoding.UTF8.GetString(ConnectErrors.EndStreamJson(new Status(StatusCode.NotFound, "no rate"), trailers, null));

        Assert.Equal("""{"error":{"code":"not_found","message":"no rate"},"metadata":{"x-a":["1","2"],"x-b-bin":["qw"]}}""", json);
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("APPLICATION/GRPC", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_Table(string? contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }
}
