namespace Calc.Cli.Tests.Infrastructure;

/// <summary>Paths of the fixtures copied beside the test assembly.</summary>
internal static class Fixtures
{
    /// <summary>Real closes and CBR rates (copied from the shared data) imported by the test servers.</summary>
    public static string Market => Path.Combine(AppContext.BaseDirectory, "Fixtures", "market");

    public static string Receipts(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "receipts", name);

    /// <summary>The same five receipts exported in four dialects.</summary>
    public static readonly string[] Dialects =
        ["iso-utf8.csv", "utf8-bom-semicolon.csv", "1c-semicolon-cp1251.csv", "comma-quoted-decimal-comma.csv"];

    /// <summary>A scratch folder removed with the test.</summary>
    public static TempFolder Temp() => new();
}

internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "calc-cli-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a process still holds a file; the OS cleans temp
        }
    }
}
