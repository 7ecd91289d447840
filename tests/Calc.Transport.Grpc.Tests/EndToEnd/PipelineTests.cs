using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Calc.Interop;
using Calc.Interop.Testing;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class PipelineTests(ServerFixture server)
{
    [Fact]
    public async Task Interceptor_RejectsCall_UnauthenticatedAndServiceNotRun()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, "/calc.transport.test.Probe/Run", new ProbeRequest { Kind = "crash" }, [("x-reject", "1")]);

        Assert.Equal(16, response.GrpcStatus);
        Assert.Equal("missing API key", response.GrpcMessage);
    }

    [Fact]
    public async Task Metrics_FailedCall_CountedByMethodAndCode()
    {
        // Arrange
        var seen = new List<(string Instrument, string? Method, string? Code)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Calc.Transport.Grpc")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            string? method = null, code = null;
            foreach (var tag in tags)
            {
                method = tag.Key == "rpc.method" ? tag.Value as string : method;
                code = tag.Key == "rpc.grpc.status_code" ? tag.Value as string : code;
            }

            lock (seen)
            {
                seen.Add((instrument.Name, method, code));
            }
        });
        listener.Start();
        using var client = server.CreateHttp2Client();

        // Act
        await RawGrpc.CallAsync(client, "/calc.transport.test.Probe/Run", new ProbeRequest { Kind = "rpc" });

        // Assert
        lock (seen)
        {
            Assert.Contains(("calc.grpc.server.calls", "/calc.transport.test.Probe/Run", "FAILED_PRECONDITION"), seen);
            Assert.Contains(("calc.grpc.server.errors", "/calc.transport.test.Probe/Run", "FAILED_PRECONDITION"), seen);
            Assert.Contains(("calc.grpc.server.active_calls", "/calc.transport.test.Probe/Run", null), seen);
        }
    }

    [Fact]
    public void ApplyGrpcLimits_Options_KestrelHttp2Settings()
    {
        // Arrange
        var kestrel = new KestrelServerOptions();
        var options = new GrpcServerOptions { MaxConcurrentStreams = 500, KeepAlivePingDelay = TimeSpan.FromSeconds(30), KeepAlivePingTimeout = TimeSpan.FromSeconds(10) };

        // Act
        kestrel.ApplyGrpcLimits(options);

        // Assert
        Assert.Equal(500, kestrel.Limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(30), kestrel.Limits.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), kestrel.Limits.Http2.KeepAlivePingTimeout);
        Assert.Equal(1024 * 1024, kestrel.Limits.Http2.InitialStreamWindowSize);
    }

    [Fact]
    public async Task Tls_CertificateFromConfiguration_GrpcOverH2()
    {
        // Arrange: a self-signed PEM certificate, as configured by Grpc:CertificatePath / CertificateKeyPath
        var dir = Directory.CreateTempSubdirectory("calc-tls-");
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certPath = Path.Combine(dir.FullName, "server.crt");
            var keyPath = Path.Combine(dir.FullName, "server.key");
            await File.WriteAllTextAsync(certPath, cert.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            var port = ServerFixture.FreePort();
            await using var app = InteropHost.Build(port, o =>
            {
                o.CertificatePath = certPath;
                o.CertificateKeyPath = keyPath;
            });
            await app.StartAsync();
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, _, _) => c?.Subject == "CN=localhost" },
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };

            // Act
            var response = await RawGrpc.CallAsync(client, "/grpc.testing.TestService/UnaryCall", new SimpleRequest { ResponseSize = 7 });

            // Assert
            Assert.Equal(0, response.GrpcStatus);
            Assert.Equal(7, response.Message(SimpleResponse.Parser).Payload.Body.Length);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
