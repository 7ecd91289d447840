using System.Net;
using Calc.Interop;
using Calc.Transport.Grpc.Tests.Probe;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>
/// A server of its own (interop + probe services, h2c on 127.0.0.1) for a test that needs options the shared
/// <see cref="ServerFixture"/> must not have: a short maximum deadline, keepalive PINGs every second, odd
/// HTTP/2 SETTINGS. Same hosting path as Calc.Server (<see cref="InteropHost"/>, ApplyGrpcLimits).
/// </summary>
public sealed class OwnServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OwnServer(WebApplication app, int port, ProbeState state)
    {
        _app = app;
        Port = port;
        State = state;
    }

    public int Port { get; }

    public ProbeState State { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public static async Task<OwnServer> StartAsync(Action<GrpcServerOptions> configure)
    {
        // a port found free can be taken by another test process before Kestrel binds it: try fresh ports then
        for (var attempt = 1; ; attempt++)
        {
            var port = ServerFixture.FreePort();
            var state = new ProbeState();
            var app = InteropHost.Build(port, configure,
                services: s =>
                {
                    s.AddSingleton(state);
                    s.AddScoped<ProbeService>();
                },
                extend: a => a.MapGrpcService<ProbeService>(ProbeReflection.Descriptor.Services[0]));
            try
            {
                await app.StartAsync();
                return new OwnServer(app, port, state);
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    public HttpClient CreateHttp2Client() => new(new SocketsHttpHandler())
    {
        BaseAddress = BaseAddress,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
