using System.Buffers;
using Google.Protobuf;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// Reads one request message from its (decompressed) payload bytes on the binary gRPC path. Malformed input
/// throws <see cref="InvalidProtocolBufferException"/>, which the call answers with INVALID_ARGUMENT like any
/// unparseable message. The shape of Grpc.Core's contextual deserializer
/// (<c>DeserializationContext.PayloadAsReadOnlySequence()</c>).
/// </summary>
public interface IGrpcMessageReader<out T>
{
    T Read(in ReadOnlySequence<byte> payload);
}

/// <summary>
/// Writes one response message on the binary gRPC path: <see cref="Measure"/> once (it may prepare the
/// encoding), then <see cref="Write"/> exactly that many bytes. The shape of Grpc.Core's contextual
/// serializer (<c>SerializationContext.SetPayloadLength</c> + <c>GetBufferWriter()</c>).
/// </summary>
public interface IGrpcMessageWriter<in T>
{
    int Measure(T message);

    /// <param name="size">What <see cref="Measure"/> returned for this message.</param>
    void Write(T message, int size, IBufferWriter<byte> output);
}

/// <summary>
/// A hand-written wire codec for one rpc, for the hot methods where the generated object model costs too
/// much (see the transport README, "Method codecs"). The service class then has a second method of the
/// rpc's name over <typeparamref name="TRequest"/> / <typeparamref name="TResponse"/>, marked
/// <see cref="GrpcCodecAttribute"/>, which the binary gRPC path (and Connect streaming, the same framing)
/// calls; the method over the generated messages stays for Connect unary (JSON and binary).
/// The codec must answer byte for byte like the generated messages.
/// </summary>
public abstract class GrpcMethodCodec<TRequest, TResponse>
{
    public abstract IGrpcMessageReader<TRequest> Requests { get; }

    public abstract IGrpcMessageWriter<TResponse> Responses { get; }
}

/// <summary>Marks the service method that the binary gRPC path calls through <see cref="CodecType"/> (a <see cref="GrpcMethodCodec{TRequest, TResponse}"/> with a public parameterless constructor).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GrpcCodecAttribute(Type codecType) : Attribute
{
    public Type CodecType { get; } = codecType;
}

/// <summary>The default codec: the generated message's parser and serializer.</summary>
internal sealed class ProtobufMessages<T>(MessageParser<T> parser) : IGrpcMessageReader<T>, IGrpcMessageWriter<T>
    where T : class, IMessage<T>
{
    public T Read(in ReadOnlySequence<byte> payload) => parser.ParseFrom(payload);

    public int Measure(T message) => message.CalculateSize();

    public void Write(T message, int size, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(size);
        message.WriteTo(span[..size]);
        output.Advance(size);
    }
}

/// <summary>A writer over a rented array, for encoding a message before compressing it.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        int need = _written + Math.Max(sizeHint, 1);
        if (need <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
