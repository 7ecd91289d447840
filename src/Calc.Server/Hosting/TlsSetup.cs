using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Calc.Server.Hosting;

/// <summary>
/// TLS for the <c>https://</c> listen addresses, from the configuration section <c>Tls</c>:
/// <list type="bullet">
/// <item><c>Tls:CertificatePath</c>: server certificate, PKCS#12 (.pfx/.p12, password <c>Tls:CertificatePassword</c>) or
/// PEM (private key in <c>Tls:KeyPath</c>).</item>
/// <item><c>Tls:ClientCertificateMode</c>: <c>None</c> (default), <c>Allow</c> or <c>Require</c> (mutual TLS).</item>
/// <item><c>Tls:ClientCaPath</c>: PEM bundle of the CA(s) client certificates must chain to; empty = the system roots.</item>
/// </list>
/// A validated client certificate's subject becomes the caller identity (<see cref="CallerIdentity"/>).
/// Only TLS 1.2 and 1.3 are offered.
/// </summary>
public static class TlsSetup
{
    public static void Configure(HttpsConnectionAdapterOptions https, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(configuration);
        var tls = configuration.GetSection("Tls");
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (tls["CertificatePath"] is { Length: > 0 } certificatePath)
        {
            https.ServerCertificate = LoadServerCertificate(certificatePath, tls["KeyPath"], tls["CertificatePassword"]);
        }

        https.ClientCertificateMode = (tls["ClientCertificateMode"] ?? "None").ToLowerInvariant() switch
        {
            "none" or "" => ClientCertificateMode.NoCertificate,
            "allow" => ClientCertificateMode.AllowCertificate,
            "require" => ClientCertificateMode.RequireCertificate,
            var other => throw new InvalidOperationException($"Tls:ClientCertificateMode '{other}' must be None, Allow or Require"),
        };
        if (https.ClientCertificateMode == ClientCertificateMode.NoCertificate)
        {
            return;
        }

        if (tls["ClientCaPath"] is { Length: > 0 } caPath)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caPath);
            if (roots.Count == 0)
            {
                throw new InvalidOperationException($"Tls:ClientCaPath '{caPath}' holds no PEM certificate");
            }

            https.CheckCertificateRevocation = false;
            https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, roots);
        }
    }

    /// <summary>True when <paramref name="certificate"/> is a client certificate issued (directly or via intermediates) by one of <paramref name="roots"/>.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        return chain.Build(certificate);
    }

    private static X509Certificate2 LoadServerCertificate(string path, string? keyPath, string? password)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12")
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }

        if (string.IsNullOrEmpty(keyPath))
        {
            throw new InvalidOperationException($"Tls:CertificatePath '{path}' is PEM: set Tls:KeyPath to its private key");
        }

        return string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
    }
}
