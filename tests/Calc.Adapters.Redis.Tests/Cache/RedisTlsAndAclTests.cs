using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Calc.Adapters.Redis.Cache;
using Calc.Adapters.Redis.Tests.Infrastructure;
using Calc.Application.Ports;
using Calc.Domain.Quotes;
using Calc.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calc.Adapters.Redis.Tests.Cache;

/// <summary>
/// TLS with a private test CA (<c>Redis__TrustIssuer</c>) and ACL users against Debian's redis-server 7 (built with
/// TLS): the options of <c>Redis__Configuration</c> reach the server as StackExchange.Redis documents them.
/// </summary>
public sealed class RedisTlsAndAclTests : IDisposable
{
    private static readonly string[] AclUsers =
    [
        "--user", "calc", "on", ">s3cret", "~calc:*", "&calc:*", "+@all",
        "--user", "narrow", "on", ">n4rrow", "~other:*", "&calc:*", "+@all",
        "--requirepass", "defaultpw", // the default user is not open either
    ];

    private readonly Certificates _pki = new();

    [RedisFact]
    public async Task Tls_ServerCertificateFromTheTrustedTestCa_AclUser_ValuesRoundTrip()
    {
        // Arrange
        await using var server = await StartTlsAsync();
        await using var provider = Services($"127.0.0.1:{Port(server)},ssl=true,sslHost=localhost,user=calc,password=s3cret", _pki.CaPemPath);
        var cache = provider.GetRequiredService<RedisQuoteCache>();
        var close = new DailyClose("binance", new AssetPair("BTC", "USDT"), new DateOnly(2024, 3, 31), 71_333.48m, true);
        var results = new DailyClose?[1];

        // Act
        bool stored = await cache.TryStoreClosesAsync([close], default);
        await cache.GetClosesAsync([new CloseKey(close.Venue, close.Pair, close.Date)], results, default);

        // Assert
        Assert.True(stored);
        Assert.Equal(close, results[0]);
        Assert.Equal(CacheState.Connected, cache.State);
    }

    [RedisFact]
    public async Task Tls_CaNotTrusted_NeverConnects_ReadsMissAndStateDegraded()
    {
        // Arrange: no trust issuer: the OS store does not know the test CA
        await using var server = await StartTlsAsync();
        await using var provider = Services($"127.0.0.1:{Port(server)},ssl=true,sslHost=localhost,user=calc,password=s3cret,connectTimeout=2000", null);
        var cache = provider.GetRequiredService<RedisQuoteCache>();
        var results = new DailyClose?[1];

        // Act
        await cache.GetClosesAsync([new CloseKey("binance", new AssetPair("BTC", "USDT"), new DateOnly(2024, 3, 31))], results, default);

        // Assert
        Assert.Null(results[0]);
        Assert.False(cache.Connection.IsConnected);
        Assert.Equal(CacheState.Degraded, cache.State);
    }

    [RedisFact]
    public async Task Acl_WrongPassword_NeverConnects_StateDegraded()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync(AclUsers);

        // Act
        await using var provider = Services(server.Configuration + ",user=calc,password=wrong,connectTimeout=2000", null);
        var cache = provider.GetRequiredService<RedisQuoteCache>();
        bool stored = await cache.TryStoreClosesAsync([new DailyClose("binance", new AssetPair("BTC", "USDT"), new DateOnly(2024, 3, 31), 1m, true)], default);

        // Assert
        Assert.False(stored);
        Assert.False(cache.Connection.IsConnected);
        Assert.Equal(CacheState.Degraded, cache.State);
    }

    [RedisFact]
    public async Task Acl_UserWithoutAccessToCalcKeys_ReadsMissWritesRefused_EachErrorLoggedOnce()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync(AclUsers);
        var logger = new ListLogger<RedisQuoteCache>();
        await using var cache = await TestClients.ConnectedCacheAsync(server.Configuration + ",user=narrow,password=n4rrow", logger);
        var close = new DailyClose("binance", new AssetPair("BTC", "USDT"), new DateOnly(2024, 3, 31), 71_333.48m, true);
        var results = new DailyClose?[1];

        // Act
        bool stored = await cache.TryStoreClosesAsync([close], default);
        await cache.GetClosesAsync([new CloseKey(close.Venue, close.Pair, close.Date)], results, default);
        await cache.GetClosesAsync([new CloseKey(close.Venue, close.Pair, close.Date)], results, default);

        // Assert
        Assert.False(stored);
        Assert.Null(results[0]);
        var rejections = logger.Entries.Where(e => e.EventId == 4102).Select(e => e.Message).ToArray();
        var rejection = Assert.Single(rejections); // SET and MGET are refused with the same error: logged once
        Assert.Contains("NOPERM", rejection, StringComparison.Ordinal);
    }

    public void Dispose() => _pki.Dispose();

    private static string Port(RedisServer server) => server.TlsPort.ToString(CultureInfo.InvariantCulture);

    private Task<RedisServer> StartTlsAsync()
    {
        using var cert = X509CertificateLoader.LoadPkcs12FromFile(_pki.ServerPfxPath, Certificates.ServerPfxPassword);
        return RedisServer.StartWithTlsAsync(cert.ExportCertificatePem(), cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), AclUsers);
    }

    /// <summary>The cache as Calc.Server registers it (Redis__Configuration, Redis__TrustIssuer).</summary>
    private static ServiceProvider Services(string configuration, string? trustIssuer) =>
        new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning)).AddCalcRedisCache(configuration, trustIssuer).BuildServiceProvider();
}
