namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>An <c>Auth__ApiKeysFile</c> for one test (<c>name=key[=read]</c> lines), in the temp folder.</summary>
public static class ApiKeysFile
{
    public static string Write(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"calc-keys-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        return path;
    }
}
