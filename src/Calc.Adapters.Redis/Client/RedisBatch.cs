using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Client;

/// <summary>
/// Commands encoded up front and sent back to back, so that N commands cost one round trip. Replies come
/// back in the same order, one per command (an error reply is a value in its slot, not an exception).
/// </summary>
internal sealed class RedisBatch
{
    private readonly RespWriter _writer = new(256);

    public int Count { get; private set; }

    /// <summary>Name of the first command, for error messages.</summary>
    public string? FirstCommand { get; private set; }

    internal ReadOnlySpan<byte> Encoded => _writer.WrittenSpan;

    /// <summary>Adds one command; returns its index in the reply array.</summary>
    public int Add(params ReadOnlySpan<RedisArg> args)
    {
        _writer.WriteCommand(args);
        FirstCommand ??= args[0].Text;
        return Count++;
    }
}
