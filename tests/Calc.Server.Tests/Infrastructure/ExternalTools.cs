using System.Diagnostics;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>
/// Independent clients installed from Debian packages (python3-grpcio, python3-grpc-tools). Locally a test
/// that needs one is skipped with a message when it is missing; under CI=true it runs (and fails loudly).
/// </summary>
internal static class ExternalTools
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> PythonGrpc = new(() => Runs(Python, "-c \"import grpc, grpc_tools\""));

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool HasPythonGrpc => PythonGrpc.Value;

    private static bool Runs(string file, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (p is null)
            {
                return false;
            }

            p.WaitForExit(20_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A theory that needs Python grpcio: skipped locally when missing, never skipped under CI=true.</summary>
internal sealed class PythonGrpcTheoryAttribute : TheoryAttribute
{
    public PythonGrpcTheoryAttribute()
    {
        if (!ExternalTools.HasPythonGrpc && !ExternalTools.IsCi)
        {
            Skip = "python3-grpcio / python3-grpc-tools are not installed (apt-get install python3-grpcio python3-grpc-tools); skipped outside CI";
        }
    }
}

/// <summary>A fact that needs Python grpcio: skipped locally when missing, never skipped under CI=true.</summary>
internal sealed class PythonGrpcFactAttribute : FactAttribute
{
    public PythonGrpcFactAttribute()
    {
        if (!ExternalTools.HasPythonGrpc && !ExternalTools.IsCi)
        {
            Skip = "python3-grpcio / python3-grpc-tools are not installed (apt-get install python3-grpcio python3-grpc-tools); skipped outside CI";
        }
    }
}
