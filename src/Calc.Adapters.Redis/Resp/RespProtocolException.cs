namespace Calc.Adapters.Redis.Resp;

/// <summary>
/// The bytes from the server are not valid RESP. The connection that produced them cannot be trusted to
/// stay in step with its pending replies, so it is dropped; callers see a <see cref="RedisConnectionException"/>.
/// </summary>
public sealed class RespProtocolException : Exception
{
    public RespProtocolException()
    {
    }

    public RespProtocolException(string message)
        : base(message)
    {
    }

    public RespProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
