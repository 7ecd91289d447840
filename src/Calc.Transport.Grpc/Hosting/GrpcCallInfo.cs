using Calc.Transport.Grpc.Binding;

namespace Calc.Transport.Grpc;

/// <summary>Transport facts about a call that the Grpc.Core-shaped context does not expose.</summary>
public static class GrpcCallInfo
{
    /// <summary>Whether the last request message read on this call arrived compressed (interop compression checks).</summary>
    public static bool LastRequestMessageCompressed(ServerCallContext context) =>
        context is GrpcServerCall call && call.LastRequestCompressed;
}
