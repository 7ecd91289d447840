using System.Text;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Resp;
using Calc.Adapters.Redis.Tests.Infrastructure;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>The cache's commands against a real redis-server, over RESP3 and RESP2.</summary>
public sealed class RedisClientCommandTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    private string Config => fixture.Server.Configuration;

    [RedisFact]
    public async Task Connect_DefaultProtocol_NegotiatesResp3()
    {
        // Arrange / Act
        await using var client = await TestClients.ConnectAsync(Config);

        // Assert
        Assert.Equal(3, client.Protocol);
        Assert.Equal("PONG", await client.PingAsync());
    }

    [RedisFact]
    public async Task Connect_ProtocolResp2_UsesResp2()
    {
        // Arrange / Act
        await using var client = await TestClients.ConnectAsync(Config + ",protocol=resp2");

        // Assert
        Assert.Equal(2, client.Protocol);
        Assert.Null(await client.GetAsync("cmd:resp2:missing"));
    }

    [RedisTheory]
    [InlineData("resp2")]
    [InlineData("resp3")]
    public async Task GetSetMGet_RoundTrip_ReturnValuesAndNulls(string protocol)
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(Config + ",protocol=" + protocol);
        string p = "cmd:" + protocol + ":";

        // Act
        bool set = await client.SetAsync(p + "a", "92.2628");
        await client.MSetAsync([new(p + "b", "1"), new(p + "c", "")]);
        var a = await client.GetAsync(p + "a");
        var many = await client.MGetAsync([p + "a", p + "missing", p + "b", p + "c"]);

        // Assert
        Assert.True(set);
        Assert.Equal("92.2628", Encoding.UTF8.GetString(a!));
        Assert.Equal(["92.2628", null, "1", ""], many.Select(b => b is null ? null : Encoding.UTF8.GetString(b)));
    }

    [RedisFact]
    public async Task SetAsync_ExpiryAndNx_SetsTtlAndRespectsExistingKey()
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(Config);

        // Act
        bool first = await client.SetAsync("cmd:nx", "1", TimeSpan.FromSeconds(100), SetCondition.NotExists);
        bool second = await client.SetAsync("cmd:nx", "2", TimeSpan.FromSeconds(100), SetCondition.NotExists);
        long ttl = await client.TtlAsync("cmd:nx");
        bool expired = await client.ExpireAsync("cmd:nx", TimeSpan.FromSeconds(5000));
        long ttlAfter = await client.TtlAsync("cmd:nx");

        // Assert
        Assert.True(first);
        Assert.False(second);
        Assert.Equal("1", Encoding.UTF8.GetString((await client.GetAsync("cmd:nx"))!));
        Assert.InRange(ttl, 98, 100);
        Assert.True(expired);
        Assert.InRange(ttlAfter, 4998, 5000);
    }

    [RedisFact]
    public async Task HashCommands_RoundTrip_ReturnFields()
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(Config);

        // Act
        long added = await client.HSetAsync("cmd:h", [new("USD", "92.3660"), new("EUR", "99.6699")]);
        var usd = await client.HGetAsync("cmd:h", "USD");
        var both = await client.HMGetAsync("cmd:h", ["EUR", "CNY", "USD"]);

        // Assert
        Assert.Equal(2, added);
        Assert.Equal("92.3660", Encoding.UTF8.GetString(usd!));
        Assert.Equal(["99.6699", null, "92.3660"], both.Select(b => b is null ? null : Encoding.UTF8.GetString(b)));
    }

    [RedisFact]
    public async Task DelExistsScan_FindAndRemoveKeys()
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(Config);
        for (int i = 0; i < 30; i++)
        {
            await client.SetAsync("scan:k" + i, "v");
        }

        // Act
        var seen = new HashSet<string>();
        long cursor = 0;
        do
        {
            (cursor, var keys) = await client.ScanAsync(cursor, "scan:*", 7);
            seen.UnionWith(keys);
        }
        while (cursor != 0);

        long existsBefore = await client.ExistsAsync("scan:k3");
        long deleted = await client.DelAsync("scan:k3");
        long existsAfter = await client.ExistsAsync("scan:k3");

        // Assert
        Assert.Equal(30, seen.Count);
        Assert.Equal((1L, 1L, 0L), (existsBefore, deleted, existsAfter));
    }

    [RedisFact]
    public async Task ExecuteAsync_ServerError_IsAValueForBatchesAndAnExceptionForHelpers()
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(Config);
        await client.HSetAsync("cmd:wrongtype", [new("f", "v")]);
        var batch = new RedisBatch();
        batch.Add("SET", "cmd:ok", "1");
        batch.Add("GET", "cmd:wrongtype");
        batch.Add("GET", "cmd:ok");

        // Act
        var replies = await client.ExecuteAsync(batch);
        var error = await Record.ExceptionAsync(async () => await client.GetAsync("cmd:wrongtype"));

        // Assert
        Assert.Equal(["+OK", "-WRONGTYPE", "$1"], replies.Select(r => RespRenderShort(r)));
        Assert.StartsWith("WRONGTYPE", Assert.IsType<RedisServerException>(error).Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task Batch_HundredsOfCommands_OneReplyEachInOrder()
    {
        // Arrange
        await using var client = await TestClients.ConnectAsync(Config);
        var batch = new RedisBatch();
        for (int i = 0; i < 500; i++)
        {
            batch.Add("SET", "batch:" + i, (long)i);
            batch.Add("GET", "batch:" + i);
        }

        // Act
        var replies = await client.ExecuteAsync(batch);

        // Assert
        Assert.Equal(1000, replies.Length);
        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), replies[(2 * i) + 1].AsString());
        }
    }

    [RedisFact]
    public async Task ClientName_IsSetOnTheConnection()
    {
        // Arrange / Act
        await using var client = await TestClients.ConnectAsync(Config + ",name=calc-test");
        var name = await client.ExecuteAsync(["CLIENT", "GETNAME"]);

        // Assert
        Assert.Equal("calc-test", name.AsString());
    }

    [RedisFact]
    public async Task DefaultDatabase_SelectsThatDatabase()
    {
        // Arrange
        await using var db5 = await TestClients.ConnectAsync(Config + ",defaultDatabase=5");
        await using var db0 = await TestClients.ConnectAsync(Config);

        // Act
        await db5.SetAsync("cmd:selected", "five");
        var seenIn5 = await db5.GetAsync("cmd:selected");
        var seenIn0 = await db0.GetAsync("cmd:selected");

        // Assert
        Assert.Equal("five", Encoding.UTF8.GetString(seenIn5!));
        Assert.Null(seenIn0);
    }

    [RedisFact]
    public async Task UnixSocket_ConnectsAndServes()
    {
        // Arrange / Act
        await using var client = await TestClients.ConnectAsync(fixture.Server.UnixSocket);
        await client.SetAsync("cmd:unix", "yes");

        // Assert
        Assert.Equal("yes", Encoding.UTF8.GetString((await client.GetAsync("cmd:unix"))!));
    }

    private static string RespRenderShort(RespValue v) => v.Kind switch
    {
        RespKind.Error => "-" + v.ErrorMessage.Split(' ')[0],
        RespKind.SimpleString => "+" + v.AsString(),
        _ => "$" + v.AsString(),
    };
}
