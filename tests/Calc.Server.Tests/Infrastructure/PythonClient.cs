using System.Diagnostics;
using System.Text.Json;
using Calc.Tests.Shared;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>Runs python/calc_call.py (grpcio) against a server and returns its JSON outcome.</summary>
internal static class PythonClient
{
    public static async Task<JsonElement> CallAsync(Uri grpcAddress, string method, string requestJson, params string[] metadata)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "python", "calc_call.py");
        var info = new ProcessStartInfo(ExternalTools.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--target");
        info.ArgumentList.Add($"{grpcAddress.Host}:{grpcAddress.Port}");
        info.ArgumentList.Add("--protos");
        info.ArgumentList.Add(Path.Combine(SharedData.RepoRoot, "protos"));
        info.ArgumentList.Add("--method");
        info.ArgumentList.Add(method);
        info.ArgumentList.Add("--json");
        info.ArgumentList.Add(requestJson);
        foreach (var m in metadata)
        {
            info.ArgumentList.Add("--metadata");
            info.ArgumentList.Add(m);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        string output = await stdout;
        if (process.ExitCode != 0 || output.Length == 0)
        {
            throw new InvalidOperationException($"calc_call.py failed ({process.ExitCode}): {await stderr}");
        }

        return JsonDocument.Parse(output).RootElement;
    }
}
