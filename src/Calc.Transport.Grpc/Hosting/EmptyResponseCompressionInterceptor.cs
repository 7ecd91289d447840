using Google.Protobuf;
using Grpc.Core.Interceptors;

namespace Calc.Transport.Grpc;

/// <summary>
/// With a response compression algorithm (<c>Grpc:ResponseCompression</c>), grpc-dotnet frames an empty unary
/// response as compressed with zero bytes (<c>[flag 1][length 0]</c>); a compressor never outputs zero bytes,
/// so grpc-js refuses that frame ("13 INTERNAL: Failed to decompress gzip-encoded message"; grpc/grpc-node
/// #3065: "these messages are invalid"). Measured: the Node grpc-js interop case <c>empty_unary</c> against a
/// gzip-enabled server fails without this interceptor and passes with it. An empty response is sent
/// uncompressed (<see cref="WriteFlags.NoCompress"/>), as gRPC intends a zero-length message to be sent.
/// Registered only when a response compression is configured.
/// </summary>
public sealed class EmptyResponseCompressionInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var response = await continuation(request, context).ConfigureAwait(false);
        if (response is IMessage message && message.CalculateSize() == 0)
        {
            context.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        }

        return response;
    }
}
