using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Cli.Hosting;

/// <summary>
/// Where <c>--server</c> points: one address (<c>http://host:5000</c> or <c>https://…</c>), several h2c replicas
/// (<c>http://a:5000,http://b:5000</c>: a static address list balanced round_robin per call), or a DNS name
/// resolved to all its addresses (<c>dns:///calc.internal:5000</c>, h2c, round_robin).
/// </summary>
internal sealed record ServerTarget(string Text, Uri? Single, IReadOnlyList<Uri> Replicas, string? DnsTarget)
{
    public static ServerTarget Parse(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.StartsWith("dns:", StringComparison.OrdinalIgnoreCase))
        {
            // dns:///host:port (the authority part, dns://resolver/…, names a DNS server; grpc-dotnet does not support it)
            if (!trimmed.StartsWith("dns:///", StringComparison.OrdinalIgnoreCase)
                || !Uri.TryCreate("http://" + trimmed["dns:///".Length..], UriKind.Absolute, out var hostPort)
                || hostPort.AbsolutePath != "/" || hostPort.IsDefaultPort)
            {
                throw new CliException($"--server '{text}' is not a dns:///host:port target (e.g. dns:///calc.internal:5000)");
            }

            return new ServerTarget(trimmed, null, [], trimmed);
        }

        var parts = trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var uris = new List<Uri>(parts.Length);
        foreach (string part in parts)
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliException($"--server '{part}' is not an http:// or https:// address");
            }

            uris.Add(uri);
        }

        if (uris.Count == 0)
        {
            throw new CliException("--server is empty: give an http:// or https:// address, a comma-separated list of http:// replicas, or dns:///host:port");
        }

        if (uris.Count == 1)
        {
            return new ServerTarget(trimmed, uris[0], [], null);
        }

        if (uris.Any(u => u.Scheme != Uri.UriSchemeHttp))
        {
            throw new CliException($"--server '{text}': several addresses are balanced by calc only over h2c (http://); "
                + "for TLS give one https:// address (a load balancer in front of the replicas)");
        }

        return new ServerTarget(trimmed, null, uris, null);
    }

    /// <summary>For messages: the address, the replica list, or the DNS target.</summary>
    public string Description => Single is { } single ? single.ToString().TrimEnd('/')
        : DnsTarget ?? string.Join(",", Replicas.Select(r => r.ToString().TrimEnd('/')));
}

/// <summary>
/// The CLI's Grpc.Net.Client channel: the service config (retries of idempotent calls, round_robin across
/// replicas), message limits and HTTP/2 keep-alive pings.
/// </summary>
internal static class CalcChannel
{
    /// <summary>Largest message sent or received: an import or collateral batch of 10,000 rows is well below it.</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Methods retried on UNAVAILABLE (the call did not reach a serving replica: connection refused or reset,
    /// a replica draining or not yet ready). They change nothing on the server: the lookups, and the
    /// computations, which are pure functions of the request and the market data held, so a second attempt
    /// returns what the first would have. Not retried: the imports (a replay reports "unchanged" where the
    /// first attempt may have "added", so the operator would see the wrong counts) and StreamRecognizeIncome
    /// (results are written as they arrive; the CLI says where to resume instead).
    /// </summary>
    public static readonly IReadOnlyList<(string Service, string Method)> Idempotent =
    [
        ("calc.v1.QuoteService", "GetQuote"), ("calc.v1.QuoteService", "BatchGetQuotes"), ("calc.v1.QuoteService", "GetCbrRate"),
        ("calc.v1.QuoteService", "ListCbrRates"), ("calc.v1.QuoteService", "ListVenues"),
        ("calc.v1.TaxService", "GetDeadlines"), ("calc.v1.TaxService", "ComputeNdfl"), ("calc.v1.TaxService", "ComputeProfitTax"),
        ("calc.v1.TaxService", "CheckCompliance"),
        ("calc.v1.CollateralService", "ValueCollateral"), ("calc.v1.CollateralService", "BatchValueCollateral"),
        ("calc.v1.IncomeService", "RecognizeIncome"),
        ("grpc.health.v1.Health", "Check"),
    ];

    /// <summary>Up to 4 attempts, 0.2 s → 0.4 s → 0.8 s backoff (jittered by grpc-dotnet), on UNAVAILABLE only.</summary>
    public static ServiceConfig ServiceConfig(bool roundRobin)
    {
        var retry = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 4,
                InitialBackoff = TimeSpan.FromMilliseconds(200),
                MaxBackoff = TimeSpan.FromSeconds(2),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (var (service, method) in Idempotent)
        {
            retry.Names.Add(new MethodName { Service = service, Method = method });
        }

        var config = new ServiceConfig { MethodConfigs = { retry } };
        if (roundRobin)
        {
            config.LoadBalancingConfigs.Add(new RoundRobinConfig());
        }

        return config;
    }

    public static GrpcChannel Create(ServerTarget target)
    {
        var options = new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                // a month-end stream has no deadline by default: pings find a server that went away
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            },
            ServiceConfig = ServiceConfig(roundRobin: target.Single is null),
        };
        if (target.Single is { } single)
        {
            return GrpcChannel.ForAddress(single, options);
        }

        options.Credentials = ChannelCredentials.Insecure;
        if (target.DnsTarget is { } dns)
        {
            return GrpcChannel.ForAddress(dns, options);
        }

        var services = new ServiceCollection();
        var addresses = target.Replicas.Select(r => new BalancerAddress(r.Host, r.Port)).ToArray();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        options.ServiceProvider = services.BuildServiceProvider();
        return GrpcChannel.ForAddress("static:///calc", options);
    }
}
