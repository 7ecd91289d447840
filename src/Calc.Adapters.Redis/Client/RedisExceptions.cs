namespace Calc.Adapters.Redis.Client;

/// <summary>No usable connection: not connected yet, reconnecting, or the connection dropped with the command in flight.</summary>
public sealed class RedisConnectionException : Exception
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>No reply within the command timeout. The connection stays up; the late reply is discarded.</summary>
public sealed class RedisTimeoutException : TimeoutException
{
    public RedisTimeoutException()
    {
    }

    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    public RedisTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The server answered with an error reply (<c>-ERR …</c>, <c>-WRONGPASS …</c>).</summary>
public sealed class RedisServerException : Exception
{
    public RedisServerException()
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
    }

    public RedisServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
