using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>A throwaway PKI in a temporary folder: a CA, a server certificate for 127.0.0.1, client certificates.</summary>
public sealed class Certificates : IDisposable
{
    private readonly X509Certificate2 _ca;

    public Certificates()
    {
        Folder = Directory.CreateTempSubdirectory("calc-tls-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Calc Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaPemPath = Path.Combine(Folder, "ca.pem");
        File.WriteAllText(CaPemPath, _ca.ExportCertificatePem());

        using var server = Issue("CN=calc-server", serverAuth: true);
        ServerPfxPath = Path.Combine(Folder, "server.pfx");
        File.WriteAllBytes(ServerPfxPath, server.Export(X509ContentType.Pkcs12, ServerPfxPassword));
    }

    public const string ServerPfxPassword = "test-only-pfx-password";

    public string Folder { get; }

    public string CaPemPath { get; }

    public string ServerPfxPath { get; }

    public X509Certificate2 CaCertificate => _ca;

    /// <summary>A client certificate issued by the test CA (with its private key).</summary>
    public X509Certificate2 Client(string subject) => Issue(subject, serverAuth: false);

    /// <summary>A self-signed client certificate no CA vouches for.</summary>
    public static X509Certificate2 SelfSignedClient(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>An HTTP handler that trusts only the test CA and presents <paramref name="client"/> (if any).</summary>
    public SocketsHttpHandler Handler(X509Certificate2? client)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && IssuedByCa(certificate);
        if (client is not null)
        {
            handler.SslOptions.ClientCertificates = [client];
        }

        return handler;
    }

    private bool IssuedByCa(X509Certificate certificate)
    {
        using var cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private X509Certificate2 Issue(string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        using var withKey = cert.CopyWithPrivateKey(key);
        // round-trip through PKCS#12 so the key is usable by SslStream on Linux
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
