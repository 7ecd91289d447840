using Google.Protobuf;

namespace Calc.Client;

/// <summary>
/// A request message serialised once and sent many times (replays, fan-out of one batch, load generation):
/// the channel writes its framed bytes as they are, without encoding the message again on every call.
/// </summary>
public sealed class PreparedMessage
{
    private PreparedMessage(byte[] framed) => Framed = framed;

    /// <summary>The gRPC length-prefixed message (flag byte, big-endian length, payload).</summary>
    internal byte[] Framed { get; }

    /// <summary>Serialised payload size in bytes (without the 5-byte frame header).</summary>
    public int PayloadLength => Framed.Length - 5;

    public static PreparedMessage From(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new PreparedMessage(GrpcChannel.Frame(message));
    }
}
