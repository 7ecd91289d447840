namespace Calc.Tests.Shared;

/// <summary>
/// The one way tests find the real market data in <c>../shared/data</c> (beside the repository). A user's
/// fresh clone has no <c>../shared</c>: tests that need it use <see cref="SharedDataFactAttribute"/> or
/// <see cref="SharedDataTheoryAttribute"/> and are skipped with <see cref="SkipReason"/>.
/// </summary>
internal static class SharedData
{
    public const string SkipReason =
        "../shared/data is not beside this clone (it comes with the Calc workspace, not the repository); test skipped";

    private static readonly Lazy<string?> LazyRoot = new(Find);

    /// <summary>Absolute path of the shared data folder, or null when absent.</summary>
    public static string? Root => LazyRoot.Value;

    /// <summary>The repository root (the folder holding Calc.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string PathOf(string relative) =>
        Path.Combine(Root ?? throw new InvalidOperationException(SkipReason), relative);

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("CALC_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }

        var candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Calc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Calc.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fact that needs <c>../shared/data</c>; skipped with a clear message when it is absent.</summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Root is null)
        {
            Skip = SharedData.SkipReason;
        }
    }
}

/// <summary>A theory that needs <c>../shared/data</c>; skipped with a clear message when it is absent.</summary>
internal sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (SharedData.Root is null)
        {
            Skip = SharedData.SkipReason;
        }
    }
}
