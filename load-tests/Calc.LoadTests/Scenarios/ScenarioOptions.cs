using System.Globalization;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// <c>--name value</c> options of a scenario, with bounded defaults. <c>--smoke</c> shrinks every count and
/// duration to seconds (the CI run); explicit options still win.
/// </summary>
public sealed class ScenarioOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static ScenarioOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScenarioOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            string name = arg[2..];
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                options._values[name[..eq]] = name[(eq + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options._values[name] = args[++i];
            }
            else
            {
                options._values[name] = "true";
            }
        }

        return options;
    }

    public ScenarioOptions Set(string name, string value)
    {
        _values[name] = value;
        return this;
    }

    public bool Smoke => Flag("smoke");

    public bool Flag(string name) => _values.TryGetValue(name, out var v) && v is "true" or "1";

    public string? String(string name) => _values.GetValueOrDefault(name);

    /// <summary>The value of <c>--name</c>, else <paramref name="smoke"/> in smoke mode, else <paramref name="full"/>.</summary>
    public int Int(string name, int full, int smoke) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : Smoke ? smoke : full;

    public double Double(string name, double full, double smoke) =>
        _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : Smoke ? smoke : full;

    /// <summary>
    /// Market data for the server: <c>--data DIR</c>, else the workspace's real data (<c>CALC_SHARED_DATA</c>, or
    /// <c>../shared/data</c> beside the repository) when present and not a smoke run, else the server tests' fixture.
    /// </summary>
    public string DataDirectory
    {
        get
        {
            if (String("data") is { } explicitDir)
            {
                return Path.GetFullPath(explicitDir);
            }

            string shared = Environment.GetEnvironmentVariable("CALC_SHARED_DATA") is { Length: > 0 } env
                ? env : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));
            if (!Smoke && File.Exists(Path.Combine(shared, "closes.csv")) && File.Exists(Path.Combine(shared, "cbr-rates.csv")))
            {
                return shared;
            }

            return Path.Combine(RepoRoot, "tests", "Calc.Server.Tests", "Fixtures", "import-small");
        }
    }

    /// <summary>The server build to start: <c>--server-dll PATH</c>, else the repository's Release build.</summary>
    public string ServerDll
    {
        get
        {
            string dll = String("server-dll") ?? Path.Combine(RepoRoot, "src", "Calc.Server", "bin", String("configuration") ?? "Release", "net10.0", "Calc.Server.dll");
            return File.Exists(dll) ? Path.GetFullPath(dll) : throw new FileNotFoundException("build the server first: dotnet build -c Release src/Calc.Server", dll);
        }
    }

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Calc.sln")))
                {
                    return dir.FullName;
                }
            }

            return Directory.GetCurrentDirectory();
        }
    }
}
