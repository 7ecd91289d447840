using System.Xml.Linq;
using Calc.Tests.Shared;

namespace Calc.Architecture.Tests;

/// <summary>
/// Dependencies point one way: Domain ← Application ← {Transport.Grpc, Adapters.*} ← Server (and Cli).
/// These tests read the compiled Domain assembly and every src project file, so a wrong reference fails here.
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly string[] Isolated =
        ["Calc.Transport.Grpc", "Calc.Adapters.Redis", "Calc.Adapters.Cbr", "Calc.Adapters.Exchanges"];

    private static readonly string[] MayReferenceIsolated = ["Calc.Server", "Calc.Cli"];

    [Fact]
    public void DomainAssembly_ReferencesOnlyTheBcl()
    {
        var domain = typeof(Calc.Domain.Errors.CalcError).Assembly;

        var foreign = domain.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !IsBcl(name))
            .ToArray();

        Assert.Empty(foreign);
    }

    [Fact]
    public void DomainProject_HasNoPackageOrProjectReferences()
    {
        var project = LoadProject("Calc.Domain");

        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "FrameworkReference")
            .Select(e => (string?)e.Attribute("Include"))
            .ToArray();

        Assert.Empty(references);
    }

    [Fact]
    public void ApplicationProject_ReferencesOnlyDomain()
    {
        var references = ProjectReferences("Calc.Application");

        Assert.Equal(["Calc.Domain"], references);
    }

    [Fact]
    public void SrcProjects_OnlyServerAndCliReferenceTransportOrAdapters()
    {
        var offenders = new List<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(SharedData.RepoRoot, "src")))
        {
            string name = Path.GetFileName(dir);
            if (MayReferenceIsolated.Contains(name))
            {
                continue;
            }

            offenders.AddRange(ProjectReferences(name).Where(Isolated.Contains).Select(r => $"{name} -> {r}"));
        }

        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("System.Runtime", true)]
    [InlineData("System.Collections.Immutable", true)]
    [InlineData("netstandard", true)]
    [InlineData("Microsoft.Extensions.Logging.Abstractions", false)]
    [InlineData("Google.Protobuf", false)]
    public void IsBcl_ClassifiesAssemblyNames(string name, bool expected) =>
        Assert.Equal(expected, IsBcl(name));

    private static bool IsBcl(string assemblyName) =>
        assemblyName is "netstandard" or "mscorlib"
        || assemblyName == "System"
        || assemblyName.StartsWith("System.", StringComparison.Ordinal);

    private static XDocument LoadProject(string name) =>
        XDocument.Load(Path.Combine(SharedData.RepoRoot, "src", name, name + ".csproj"));

    private static string[] ProjectReferences(string name) =>
        LoadProject(name).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include"))!.Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
