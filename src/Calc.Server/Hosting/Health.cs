using System.Text.Json;
using Calc.Domain.Rules;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Calc.Server.Hosting;

/// <summary>Ready when the effective-dated rule set is loaded; reports its version.</summary>
public sealed class RulesHealthCheck(RuleSet rules) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("rules loaded", new Dictionary<string, object> { ["rules_version"] = rules.Version }));
}

/// <summary>/health as JSON: overall status and each check's status, description and data.</summary>
public static class HealthJson
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
