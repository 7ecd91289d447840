using Calc.Server.Tests.Infrastructure;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>The reliability suite's server: a <see cref="ServerProcess"/> with the small real-data fixture imported.</summary>
public static class CalcProcess
{
    public static Task<ServerProcess> StartAsync(IDictionary<string, string>? environment = null, bool tls = false)
    {
        var env = new Dictionary<string, string> { ["MarketData__ImportPath"] = Fixtures.SmallImport };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        return ServerProcess.StartAsync(env, tls: tls);
    }
}
