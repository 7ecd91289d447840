using System.Diagnostics;
using Calc.Tests.Shared;

namespace Calc.Transport.Grpc.Tests.Interop;

/// <summary>
/// The independent clients the interop tests run, and whether they are installed. Outside CI a missing tool
/// skips the test with the install command; with CI=true it is a failure, so CI cannot silently skip interop.
/// </summary>
internal static class ExternalTools
{
    public const string Python = "/usr/bin/python3";

    public static string InteropDir => Path.Combine(SharedData.RepoRoot, "tests", "interop");

    /// <summary>The repository's one buf, pinned in protos/package.json (npm ci --prefix protos).</summary>
    public static string Buf => Path.Combine(InteropDir, "..", "..", "protos", "node_modules", "@bufbuild", "buf-linux-x64", "bin", "buf");

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? MissingPython() =>
        Run(Python, "-c \"import grpc, grpc_tools\"", TimeSpan.FromSeconds(30)).ExitCode == 0
            ? null
            : "python3 grpcio is not installed (apt-get install python3-grpcio python3-grpc-tools)";

    public static string? MissingNode() =>
        Directory.Exists(Path.Combine(InteropDir, "node_modules", "@grpc", "grpc-js")) && Run("node", "--version", TimeSpan.FromSeconds(30)).ExitCode == 0
            ? null
            : "node or tests/interop/node_modules is missing (install nodejs, then npm ci --prefix tests/interop)";

    public static string? MissingBuf() =>
        File.Exists(Buf) ? null : "buf is missing (npm ci --prefix protos)";

    public static (int ExitCode, string Output) Run(string file, string arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = InteropDir,
        };
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"timed out after {timeout}\n{stdout.Result}\n{stderr.Result}");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}

/// <summary>A fact needing an external client: skipped with the install hint when it is missing, unless CI=true.</summary>
internal sealed class ExternalClientFactAttribute : FactAttribute
{
    public ExternalClientFactAttribute(string tool)
    {
        if (ExternalTools.IsCi)
        {
            return;
        }

        var missing = tool switch
        {
            "python" => ExternalTools.MissingPython(),
            "node" => ExternalTools.MissingNode(),
            "buf" => ExternalTools.MissingBuf(),
            _ => "unknown tool " + tool,
        };
        if (missing is not null)
        {
            Skip = missing + "; test skipped (it fails instead when CI=true)";
        }
    }
}
