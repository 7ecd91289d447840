using System.Net;
using Calc.Interop;
using Calc.Transport.Grpc.Tests.Probe;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>
/// The interop server plus the probe service on real Kestrel (h2c on 127.0.0.1, a free port), with small
/// limits so limit tests stay fast: 1 MiB receive, 1 MiB send; the 60 s max deadline stays clear of calls that
/// run long on a loaded machine (the flow-control tests) and of the 30 s a test waits for a signal.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const int ReceiveLimit = 1024 * 1024;
    public const int SendLimit = 1024 * 1024;

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Http1Address { get; private set; } = null!;

    public ProbeState State { get; } = new();

    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        // a port found free can be taken by another test process before Kestrel binds it: try fresh ports then
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync(FreePort(), FreePort());
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                if (_app is not null)
                {
                    await _app.DisposeAsync();
                    _app = null;
                }
            }
        }
    }

    private async Task StartAsync(int port, int http1Port)
    {
        _app = InteropHost.Build(port, o =>
            {
                o.MaxReceiveMessageSize = ReceiveLimit;
                o.MaxSendMessageSize = SendLimit;
                o.MaxDeadline = TimeSpan.FromSeconds(60);
            },
            http1Port: http1Port,
            services: s =>
            {
                s.AddSingleton(State);
                s.AddScoped<ProbeService>();
                s.AddSingleton<IGrpcServerInterceptor, RejectingInterceptor>();
            },
            extend: app => app.MapGrpcService<ProbeService>(ProbeReflection.Descriptor.Services[0]));
        await _app.StartAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http1Address = new Uri($"http://127.0.0.1:{http1Port}");
    }

    /// <summary>A port that was free a moment ago (the listener binds it right after).</summary>
    public static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public HttpClient CreateHttp2Client() => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        BaseAddress = BaseAddress,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public HttpClient CreateHttp1Client() => new()
    {
        BaseAddress = Http1Address,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
