using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Calc.Server.Hosting;

/// <summary>
/// What the service's entry point adds around <see cref="CalcHost.Build"/>: appsettings.json read from beside the
/// binary whatever the current directory (so relative paths such as <c>MarketData__ImportPath=../shared/data</c>
/// resolve against the directory the user started Calc from; <c>dotnet run</c> keeps that directory, see
/// Calc.Server.csproj), and one human line saying where Calc listens and how to call it.
/// </summary>
public static class ServerLaunch
{
    /// <summary><paramref name="args"/> plus <c>--contentRoot</c> = the binary's folder, unless a content root is given.</summary>
    public static string[] WithContentRoot(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool given = args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return given ? args : [.. args, "--contentRoot=" + AppContext.BaseDirectory];
    }

    /// <summary>The start-up line: the bound gRPC and HTTP/1.1 addresses and a first call for each.</summary>
    public static string Banner(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        var http1Ports = Ports(app.Configuration["Http1Urls"] ?? KestrelSetup.DefaultHttp1Urls);
        var http1 = bound.Where(a => Uri.TryCreate(a, UriKind.Absolute, out var u) && http1Ports.Contains(u.Port)).ToArray();
        var grpc = bound.Except(http1).ToArray();
        string first = grpc.FirstOrDefault() ?? "(none)";
        string line = $"Calc listening: gRPC {string.Join(", ", grpc)}";
        if (http1.Length > 0)
        {
            line += $"; HTTP/1.1 (JSON, /health) {string.Join(", ", http1)}";
        }

        line += $". Try: calc --server {first} health";
        if (http1.Length > 0)
        {
            line += $", or curl -s {http1[0].TrimEnd('/')}/health";
        }

        return line + " (README \"First calls\")";
    }

    private static HashSet<int> Ports(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : -1)
            .Where(p => p > 0)];
}
