using System.Net;
using System.Security.Authentication;
using Calc.Adapters.Redis.Cache;
using StackExchange.Redis;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary><c>Redis__Configuration</c> is StackExchange.Redis's own syntax; Calc only fills in what it leaves unsaid.</summary>
public sealed class RedisConnectionTests
{
    [Fact]
    public void Parse_EveryDocumentedOption_ReachesTheMultiplexerOptions()
    {
        // Act
        var options = RedisConnection.Parse(
            "redis-a:6380,redis-b:6381,user=calc,password=s3cret,ssl=true,sslHost=redis.internal,sslProtocols=tls13," +
            "defaultDatabase=3,serviceName=calc-master,abortConnect=true,connectTimeout=700,syncTimeout=900,asyncTimeout=800,name=calc-1");

        // Assert
        Assert.Equal(["redis-a:6380", "redis-b:6381"], options.EndPoints.Select(e => e is DnsEndPoint d ? $"{d.Host}:{d.Port}" : e.ToString()!));
        Assert.Equal("calc", options.User);
        Assert.Equal("s3cret", options.Password);
        Assert.True(options.Ssl);
        Assert.Equal("redis.internal", options.SslHost);
        Assert.Equal(SslProtocols.Tls13, options.SslProtocols);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal("calc-master", options.ServiceName);
        Assert.True(options.AbortOnConnectFail);
        Assert.Equal((700, 900, 800), (options.ConnectTimeout, options.SyncTimeout, options.AsyncTimeout));
        Assert.Equal("calc-1", options.ClientName);
        Assert.DoesNotContain("s3cret", options.ToString(includePassword: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OptionsLeftUnsaid_NeverAbortStartupAndTimeOutAfterOneSecond()
    {
        // Act
        var options = RedisConnection.Parse("127.0.0.1:6379");

        // Assert
        Assert.False(options.AbortOnConnectFail);
        Assert.Equal((RedisConnection.DefaultTimeoutMs, RedisConnection.DefaultTimeoutMs), (options.SyncTimeout, options.AsyncTimeout));
    }

    [Theory]
    [InlineData("localhost,sll=true")]
    [InlineData("localhost,defaultDatabase=x")]
    [InlineData(" ")]
    public void Parse_Malformed_Throws(string configuration)
    {
        // Act
        var error = Record.Exception(() => RedisConnection.Parse(configuration));

        // Assert
        Assert.IsAssignableFrom<ArgumentException>(error);
    }
}
