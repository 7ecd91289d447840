using Calc.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Calc.Server.Tests;

public sealed class KestrelSetupTests
{
    private static KestrelServerOptions Kestrel(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.ConfigureCalcKestrel();
        using var app = builder.Build();
        return app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
    }

    [Fact]
    public void ConfigureCalcKestrel_Defaults_TransportDefaultsForHttp2()
    {
        var kestrel = Kestrel();

        Assert.Equal(256, kestrel.Limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(60), kestrel.Limits.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), kestrel.Limits.Http2.KeepAlivePingTimeout);
        Assert.Equal(1024 * 1024, kestrel.Limits.Http2.InitialStreamWindowSize);
        Assert.Equal(4 * 1024 * 1024, kestrel.Limits.Http2.InitialConnectionWindowSize);
        Assert.Equal((16 * 1024 * 1024) + (64 * 1024), kestrel.Limits.MaxRequestBodySize);
        Assert.False(kestrel.AddServerHeader);
    }

    [Fact]
    public void ConfigureCalcKestrel_GrpcSection_ReachesKestrel()
    {
        var kestrel = Kestrel(
            ("Grpc:MaxConcurrentStreams", "64"),
            ("Grpc:KeepAlivePingDelay", "00:00:30"),
            ("Grpc:KeepAlivePingTimeout", "00:00:05"),
            ("Grpc:InitialStreamWindowSize", "2097152"),
            ("Grpc:InitialConnectionWindowSize", "8388608"),
            ("Grpc:MaxReceiveMessageSize", "1048576"));

        Assert.Equal(64, kestrel.Limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(30), kestrel.Limits.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), kestrel.Limits.Http2.KeepAlivePingTimeout);
        Assert.Equal(2 * 1024 * 1024, kestrel.Limits.Http2.InitialStreamWindowSize);
        Assert.Equal(8 * 1024 * 1024, kestrel.Limits.Http2.InitialConnectionWindowSize);
        Assert.Equal(1024 * 1024 + (64 * 1024), kestrel.Limits.MaxRequestBodySize);
    }

    [Fact]
    public void ConfigureCalcKestrel_ExplicitBodyLimit_WinsOverTheMessageLimit()
    {
        var kestrel = Kestrel(("Limits:MaxRequestBodyBytes", "500000"));

        Assert.Equal(500_000, kestrel.Limits.MaxRequestBodySize);
    }

    [Fact]
    public void ConfigureCalcKestrel_EmptyKeepAliveDelay_DisablesPings()
    {
        var kestrel = Kestrel(("Grpc:KeepAlivePingDelay", ""));

        Assert.Equal(TimeSpan.MaxValue, kestrel.Limits.Http2.KeepAlivePingDelay);
    }
}
