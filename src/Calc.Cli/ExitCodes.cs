namespace Calc.Cli;

/// <summary>Process exit codes (documented in README.md).</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Ok = 0;

    /// <summary>The command ran, but some rows or items failed (they are in the output with reasons).</summary>
    public const int ItemsFailed = 1;

    /// <summary>Bad command line or unreadable input file.</summary>
    public const int Usage = 2;

    /// <summary>The server refused or failed the call (status printed).</summary>
    public const int CallFailed = 3;

    /// <summary>The server could not be reached.</summary>
    public const int Unavailable = 4;

    /// <summary>Interrupted by Ctrl-C (SIGINT): partial output flushed and marked.</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the CLI reports as one line and an exit code, without a stack trace.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message) : base(message) => ExitCode = exitCode;

    public CliException() : this(ExitCodes.Usage, "invalid input") { }

    public CliException(string message) : this(ExitCodes.Usage, message) { }

    public CliException(string message, Exception innerException) : base(message, innerException) => ExitCode = ExitCodes.Usage;

    public int ExitCode { get; }
}
