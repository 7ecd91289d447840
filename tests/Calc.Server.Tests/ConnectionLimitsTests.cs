using System.Net;
using Calc.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Calc.Server.Tests;

/// <summary>The connection and caller limits as configured (the attacks on them are in Calc.Reliability.Tests/Attacks).</summary>
public sealed class ConnectionLimitsTests
{
    private static (KestrelServerOptions Kestrel, EffectiveConnectionLimit Connections) Build(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.ConfigureCalcKestrel();
        using var app = builder.Build();
        return (app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value, app.Services.GetRequiredService<EffectiveConnectionLimit>());
    }

    [Theory]
    [InlineData("/alive", false)]
    [InlineData("/alive/", false)]
    [InlineData("/health", false)]
    [InlineData("/health/ready", false)]
    [InlineData("/grpc.health.v1.Health/Check", false)]
    [InlineData("/grpc.health.v1.Health/Watch", true)]
    [InlineData("/healthz", true)]
    [InlineData("/alivex", true)]
    [InlineData("/calc.v1.QuoteService/GetCbrRate", true)]
    [InlineData("/v1/cbr-rates/USD/2025-03-15", true)]
    [InlineData("/", true)]
    [InlineData("", true)]
    public void IsLimited_ProbesAndTheHealthCheckOnly_AreExempt(string path, bool limited)
    {
        Assert.Equal(limited, CallerLimits.IsLimited(new Microsoft.AspNetCore.Http.PathString(path)));
    }

    [Fact]
    public void Defaults_KestrelLimitsSet()
    {
        var (kestrel, connections) = Build();

        // Kestrel's own cap is a backstop just above Calc's count over all listeners
        Assert.Equal(connections.MaxConnections + KestrelSetup.KestrelBackstopMargin, kestrel.Limits.MaxConcurrentConnections);
        Assert.Equal(0, kestrel.Limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(TimeSpan.FromSeconds(130), kestrel.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), kestrel.Limits.RequestHeadersTimeout);
        Assert.Equal(240, kestrel.Limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), kestrel.Limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(240, kestrel.Limits.MinResponseDataRate!.BytesPerSecond);
        Assert.Equal(16 * 1024, kestrel.Limits.Http2.MaxFrameSize);
        Assert.Equal(16 * 1024, kestrel.Limits.Http2.MaxRequestHeaderFieldSize);
        Assert.Equal(4096, kestrel.Limits.Http2.HeaderTableSize);
        Assert.Equal(32 * 1024, kestrel.Limits.MaxRequestHeadersTotalSize);
    }

    [Fact]
    public void Configured_ReachKestrel()
    {
        var (kestrel, _) = Build(
            ("Limits:KeepAliveTimeout", "00:01:00"),
            ("Limits:RequestHeadersTimeout", "00:00:05"),
            ("Limits:MinRequestBodyBytesPerSecond", "0"),
            ("Limits:MinResponseBytesPerSecond", "1000"),
            ("Limits:MinResponseGracePeriod", "00:00:02"),
            ("Limits:Http2MaxFrameSize", "32768"),
            ("Limits:Http2MaxRequestHeaderFieldSize", "8192"),
            ("Limits:Http2HeaderTableSize", "0"),
            ("Limits:MaxUpgradedConnections", "10"));

        Assert.Equal(TimeSpan.FromMinutes(1), kestrel.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), kestrel.Limits.RequestHeadersTimeout);
        Assert.Null(kestrel.Limits.MinRequestBodyDataRate);
        Assert.Equal(1000, kestrel.Limits.MinResponseDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(2), kestrel.Limits.MinResponseDataRate.GracePeriod);
        Assert.Equal(32768, kestrel.Limits.Http2.MaxFrameSize);
        Assert.Equal(8192, kestrel.Limits.Http2.MaxRequestHeaderFieldSize);
        Assert.Equal(0, kestrel.Limits.Http2.HeaderTableSize);
        Assert.Equal(10, kestrel.Limits.MaxConcurrentUpgradedConnections);
    }

    [Theory]
    [InlineData(null, 20_000L, 512, 10_000)]     // the default, under the descriptor limit
    [InlineData(null, 1_024L, 512, 512)]         // a small descriptor limit wins over the default
    [InlineData(50_000, 20_000L, 512, 19_488)]   // a configured cap past the descriptors is clamped
    [InlineData(300, 20_000L, 512, 300)]
    [InlineData(null, null, 512, 10_000)]        // no descriptor limit known (not Linux)
    public void EffectiveConnectionLimit_TheSmallerOfConfiguredAndDescriptorsLeft(int? configured, long? descriptors, int reserved, int expected)
    {
        var limit = EffectiveConnectionLimit.From(new ConnectionLimitOptions { MaxConnections = configured, ReservedFileDescriptors = reserved }, descriptors);

        Assert.Equal(expected, limit.MaxConnections);
    }

    [Fact]
    public void EffectiveConnectionLimit_NoRoomLeft_RefusesToStartNamingTheLimit()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            EffectiveConnectionLimit.From(new ConnectionLimitOptions { ReservedFileDescriptors = 512 }, 256));

        Assert.Contains("RLIMIT_NOFILE 256", error.Message, StringComparison.Ordinal);
        Assert.Contains("Limits:ReservedFileDescriptors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileDescriptorLimit_ReadsThisProcesssLimit()
    {
        long? limit = KestrelSetup.FileDescriptorLimit();

        if (File.Exists("/proc/self/limits"))
        {
            Assert.NotNull(limit);
            Assert.InRange(limit!.Value, 64, long.MaxValue);
        }
        else
        {
            Assert.Null(limit);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]                        // IPv4 on a dual-stack socket
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")] // one host holds its /64
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void AddressKey_IPv4AsIs_IPv6ByItsSlash64(string address, string expected) =>
        Assert.Equal(expected, CallerIdentity.AddressKey(IPAddress.Parse(address)));

    [Fact]
    public void CallerLimits_BufferSmallerThanOneMessage_RefusesToStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Grpc:MaxReceiveMessageSize"] = "1048576",
            ["Limits:MaxBufferedRequestBytesPerCaller"] = "1048576",
        });
        builder.Services.AddCalcTransport(builder.Configuration);
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<CallerLimits>());

        Assert.Contains("Limits:MaxBufferedRequestBytesPerCaller", error.Message, StringComparison.Ordinal);
        Assert.Contains("1048581", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CallerLimits_Defaults_FromTheMessageLimit()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddCalcTransport(builder.Configuration);
        using var app = builder.Build();

        var limits = app.Services.GetRequiredService<CallerLimits>();

        Assert.Equal(256, limits.Options.MaxConcurrentCallsPerCaller);
        Assert.Equal(64L * 1024 * 1024, limits.MaxBufferedBytesPerCaller);
        Assert.Equal(256L * 1024 * 1024, limits.MaxBufferedBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), limits.Options.MessageReceiveTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), limits.Options.StreamIdleTimeout);
        Assert.Equal(0, limits.Options.RequestsPerSecond);
    }
}
