namespace Calc.Domain.Rules;

/// <summary>
/// A rule file (parameter JSON or reference CSV) is malformed. Thrown at startup only: the host must not
/// start with a rule set it cannot trust. <see cref="File"/> names the file, <see cref="Reason"/> is a
/// stable token of the failure mode (see <see cref="RuleFileErrors"/>).
/// </summary>
public sealed class RuleSetLoadException : Exception
{
    public RuleSetLoadException(string file, string reason, string detail)
        : base($"rule file {file} is invalid ({reason}): {detail}")
    {
        File = file;
        Reason = reason;
    }

    public RuleSetLoadException() : this("", RuleFileErrors.InvalidJson, "") { }

    public RuleSetLoadException(string message) : base(message)
    {
        File = "";
        Reason = "";
    }

    public RuleSetLoadException(string message, Exception innerException) : base(message, innerException)
    {
        File = "";
        Reason = "";
    }

    public string File { get; }

    public string Reason { get; }
}

/// <summary>Failure modes of rule files; each has its own malformed-file test.</summary>
public static class RuleFileErrors
{
    public const string InvalidJson = "INVALID_JSON";
    public const string UnknownKey = "UNKNOWN_KEY";
    public const string MissingKey = "MISSING_KEY";
    public const string InvalidDate = "INVALID_DATE";
    public const string DatesNotAscending = "DATES_NOT_ASCENDING";
    public const string InvalidValue = "INVALID_VALUE";
    public const string ValueOutOfRange = "VALUE_OUT_OF_RANGE";
    public const string UnknownUnit = "UNKNOWN_UNIT";
    public const string MissingReference = "MISSING_REFERENCE";
    public const string OrphanReference = "ORPHAN_REFERENCE";
    public const string EmptyValues = "EMPTY_VALUES";
    public const string InvalidScale = "INVALID_SCALE";
    public const string MissingParameter = "MISSING_PARAMETER";
    public const string InvalidCsv = "INVALID_CSV";
}
