using System.Security.Authentication;
using Calc.Adapters.Redis.Client;

namespace Calc.Adapters.Redis.Tests.Client;

public sealed class RedisOptionsTests
{
    [Fact]
    public void Parse_StackExchangeStyleString_ReadsEveryKey()
    {
        // Arrange
        const string config = "redis.internal:6380, password=p@ss=word ,user=calc,ssl=true,sslHost=redis.example,"
            + "sslProtocols=Tls12|Tls13,defaultDatabase=4,connectTimeout=2500,syncTimeout=750,abortConnect=false,name=calc-1,"
            + "protocol=resp2,keepAlive=30";

        // Act
        var o = RedisOptions.Parse(config);

        // Assert
        Assert.Equal([new RedisEndpoint("redis.internal", 6380)], o.Endpoints);
        Assert.Equal(("calc", "p@ss=word"), (o.User, o.Password));
        Assert.True(o.Ssl);
        Assert.Equal("redis.example", o.SslHost);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, o.SslProtocols);
        Assert.Equal(4, o.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), o.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(750), o.CommandTimeout);
        Assert.False(o.AbortOnConnectFail);
        Assert.Equal("calc-1", o.ClientName);
        Assert.Equal(RedisProtocol.Resp2, o.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(30), o.KeepAlive);
    }

    [Fact]
    public void Parse_HostOnly_UsesDefaultsLikeAnOperatorExpects()
    {
        // Act
        var o = RedisOptions.Parse("localhost");

        // Assert
        Assert.Equal([new RedisEndpoint("localhost", 6379)], o.Endpoints);
        Assert.False(o.AbortOnConnectFail);
        Assert.False(o.Ssl);
        Assert.Equal(0, o.DefaultDatabase);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), o.CommandTimeout);
        Assert.Equal(RedisProtocol.Resp3, o.Protocol);
    }

    [Theory]
    [InlineData("/run/redis/redis.sock", "localhost", 0, "/run/redis/redis.sock")]
    [InlineData("unix:/tmp/r.sock", "localhost", 0, "/tmp/r.sock")]
    [InlineData("[::1]:7000", "::1", 7000, null)]
    [InlineData("::1", "::1", 6379, null)]
    [InlineData("10.0.0.5:6390", "10.0.0.5", 6390, null)]
    public void Parse_Endpoints_TcpIpv6AndUnixSockets(string text, string host, int port, string? unixPath)
    {
        // Act
        var endpoint = RedisOptions.Parse(text).Endpoints.Single();

        // Assert
        Assert.Equal(new RedisEndpoint(host, port, unixPath), endpoint);
    }

    [Theory]
    [InlineData("abortConnect=false")]
    [InlineData("localhost,bogusKey=1")]
    [InlineData("localhost,ssl=yes")]
    [InlineData("localhost,defaultDatabase=-1")]
    [InlineData("localhost,syncTimeout=0")]
    [InlineData("localhost:99999")]
    [InlineData("localhost,protocol=resp4")]
    public void Parse_InvalidString_ThrowsFormatException(string config)
    {
        // Act
        var error = Record.Exception(() => RedisOptions.Parse(config));

        // Assert
        Assert.IsType<FormatException>(error);
    }

    [Fact]
    public void ToString_NeverShowsThePassword()
    {
        // Act
        var text = RedisOptions.Parse("h:1,user=u,password=topsecret").ToString();

        // Assert
        Assert.DoesNotContain("topsecret", text, StringComparison.Ordinal);
        Assert.Contains("password=*****", text, StringComparison.Ordinal);
    }
}
