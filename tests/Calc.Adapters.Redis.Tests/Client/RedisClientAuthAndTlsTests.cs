using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Calc.Adapters.Redis.Client;
using Calc.Adapters.Redis.Tests.Infrastructure;

namespace Calc.Adapters.Redis.Tests.Client;

/// <summary>ACL users, requirepass and TLS against a real redis-server started per test.</summary>
public sealed class RedisClientAuthAndTlsTests
{
    private static readonly string[] AclArgs = ["--user", "calc", "on", ">s3cret", "~calc:*", "+@all", "--requirepass", "defaultpw"];

    [RedisTheory]
    [InlineData("resp3")]
    [InlineData("resp2")]
    public async Task Connect_AclUserAndPassword_AuthenticatesAsThatUser(string protocol)
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync(AclArgs);

        // Act
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",user=calc,password=s3cret,protocol=" + protocol);
        var whoami = await client.ExecuteAsync(["ACL", "WHOAMI"]);
        var denied = await client.ExecuteAsync(["GET", "other:key"]);

        // Assert
        Assert.Equal("calc", whoami.AsString());
        Assert.StartsWith("NOPERM", denied.ErrorMessage, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task Connect_PasswordOnly_AuthenticatesTheDefaultUser()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync(AclArgs);

        // Act
        await using var client = await TestClients.ConnectAsync(server.Configuration + ",password=defaultpw");

        // Assert
        Assert.Equal("default", (await client.ExecuteAsync(["ACL", "WHOAMI"])).AsString());
    }

    [RedisFact]
    public async Task Connect_WrongPassword_StaysDisconnectedAndCommandsFailFastWithTheReason()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync(AclArgs);
        var options = RedisOptions.Parse(server.Configuration + ",user=calc,password=wrong");
        await using var client = RedisClient.Start(options);
        await Eventually.TrueAsync(() => client.LastError is not null, "the first connect attempt fails");

        // Act: fail fast = the call is already over when it returns
        var get = client.GetAsync("calc:x");
        bool failedSynchronously = get.IsCompleted;
        var error = await Record.ExceptionAsync(async () => await get);

        // Assert
        Assert.False(client.IsConnected);
        Assert.True(failedSynchronously);
        var connection = Assert.IsType<RedisConnectionException>(error);
        Assert.Contains("WRONGPASS", connection.Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task ConnectAsync_AbortConnectTrueAndWrongPassword_Throws()
    {
        // Arrange
        await using var server = await RedisServer.StartNewAsync(AclArgs);
        var options = RedisOptions.Parse(server.Configuration + ",password=nope,abortConnect=true");

        // Act
        var error = await Record.ExceptionAsync(() => RedisClient.ConnectAsync(options));

        // Assert
        Assert.Contains("WRONGPASS", Assert.IsType<RedisConnectionException>(error).Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task Connect_Tls_WithPinnedSelfSignedCertificate_Serves()
    {
        // Arrange
        using var cert = SelfSigned();
        await using var server = await RedisServer.StartWithTlsAsync(cert.ExportCertificatePem(), cert.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        string thumbprint = cert.Thumbprint;
        var config = "127.0.0.1:" + server.TlsPort.ToString(CultureInfo.InvariantCulture) + ",ssl=true,sslHost=calc-redis.test";

        // Act
        await using var client = await TestClients.ConnectAsync(config, o =>
            o.CertificateValidation = (_, presented, _, _) => presented is not null
                && string.Equals(presented.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase));
        await client.SetAsync("tls:k", "over tls");

        // Assert
        Assert.Equal("over tls", System.Text.Encoding.UTF8.GetString((await client.GetAsync("tls:k"))!));
        Assert.Equal(3, client.Protocol);
    }

    [RedisFact]
    public async Task Connect_Tls_UntrustedCertificate_NeverConnects()
    {
        // Arrange: default validation (OS trust store) must reject a self-signed certificate
        using var cert = SelfSigned();
        await using var server = await RedisServer.StartWithTlsAsync(cert.ExportCertificatePem(), cert.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var options = RedisOptions.Parse("127.0.0.1:" + server.TlsPort.ToString(CultureInfo.InvariantCulture) + ",ssl=true,sslHost=calc-redis.test");
        await using var client = RedisClient.Start(options);
        await Eventually.TrueAsync(() => client.LastError is not null, "the first connect attempt fails");

        // Act
        var error = await Record.ExceptionAsync(async () => await client.PingAsync());

        // Assert
        Assert.False(client.IsConnected);
        Assert.IsType<RedisConnectionException>(error);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=calc-redis.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("calc-redis.test");
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
