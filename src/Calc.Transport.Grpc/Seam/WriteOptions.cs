namespace Calc.Transport.Grpc;

/// <summary>Flags for response writes (same shape as Grpc.Core.WriteFlags).</summary>
[Flags]
public enum WriteFlags
{
    None = 0,
    BufferHint = 1,
    /// <summary>Send this message uncompressed even when the call compresses responses.</summary>
    NoCompress = 2,
}

/// <summary>Options for response writes (same shape as Grpc.Core.WriteOptions).</summary>
public sealed class WriteOptions(WriteFlags flags = WriteFlags.None)
{
    public static readonly WriteOptions Default = new();

    public WriteFlags Flags { get; } = flags;
}
