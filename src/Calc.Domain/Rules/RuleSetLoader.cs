using System.Security.Cryptography;
using System.Text;
using Calc.Domain.Calendar;

namespace Calc.Domain.Rules;

/// <summary>
/// Builds a <see cref="RuleSet"/> from the files embedded in Calc.Domain (or from given texts, for tests).
/// Every file is validated; the first problem throws <see cref="RuleSetLoadException"/> naming the file and
/// the reason, so a bad rule set stops the host at startup. No file system access.
/// </summary>
public static class RuleSetLoader
{
    /// <summary>Loads the rule set embedded in this assembly. Call once at startup and share the result.</summary>
    public static RuleSet LoadEmbedded()
    {
        var assembly = typeof(RuleSetLoader).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("Parameters/", StringComparison.Ordinal) && !resource.StartsWith("ReferenceData/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
            files.Add(resource, reader.ReadToEnd());
        }

        return Load(files);
    }

    /// <summary>
    /// Loads from texts keyed by path: <c>Parameters/…/name.json</c> and the two <c>ReferenceData/*.csv</c>.
    /// </summary>
    public static RuleSet Load(IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        var scales = new Dictionary<string, ScaleParameter>(StringComparer.Ordinal);
        foreach (var (path, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!path.StartsWith("Parameters/", StringComparison.Ordinal) || !path.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            string name = path["Parameters/".Length..^".json".Length];
            switch (ParameterFileParser.Parse(name, text))
            {
                case Parameter p:
                    parameters.Add(name, p);
                    break;
                case ScaleParameter s:
                    scales.Add(name, s);
                    break;
            }
        }

        foreach (var name in ParameterNames.Scales)
        {
            if (!scales.ContainsKey(name))
            {
                throw new RuleSetLoadException(name, RuleFileErrors.MissingParameter, "required scale file is missing or is not a scale");
            }
        }

        foreach (var name in ParameterNames.Scalars)
        {
            if (!parameters.ContainsKey(name))
            {
                throw new RuleSetLoadException(name, RuleFileErrors.MissingParameter, "required parameter file is missing or is not a scalar");
            }
        }

        var calendar = ProductionCalendar.Parse(Required(files, ParameterNames.CalendarFile), ParameterNames.CalendarFile);
        var restrictions = MiningRestrictions.Parse(Required(files, ParameterNames.RestrictionsFile), ParameterNames.RestrictionsFile);
        return new RuleSet(Hash(files), parameters, scales, calendar, restrictions);
    }

    private static string Required(IReadOnlyDictionary<string, string> files, string path) =>
        files.TryGetValue(path, out var text) ? text : throw new RuleSetLoadException(path, RuleFileErrors.MissingParameter, "required reference file is missing");

    private static string Hash(IReadOnlyDictionary<string, string> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(path));
            sha.AppendData([0]);
            sha.AppendData(Encoding.UTF8.GetBytes(text));
            sha.AppendData([0]);
        }

        return "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
