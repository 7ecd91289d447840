using System.Xml.Linq;
using Calc.Tests.Shared;

namespace Calc.Architecture.Tests;

/// <summary>
/// Dependencies point one way: Domain ← Application ← {Transport.Grpc, Adapters.*} ← Server (and Cli), with
/// Calc.Contracts (the code generated from protos/calc/v1) beside Application for the transport. The transport
/// is grpc-dotnet: the calc.v1 services derive from the generated bases, and the few places that still touch
/// the gRPC wire by hand are pinned here (the income codec, the deadline cap, the oversized-message status,
/// the content-type routing). These tests read the compiled assemblies and every src project and source file,
/// so a wrong reference or a stray piece of protocol code fails here.
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

    [Fact]
    public void ContractsProject_IsGeneratedFromTheProtosOnly()
    {
        var project = LoadProject("Calc.Contracts");
        var handWritten = SourceFiles("Calc.Contracts").ToArray();

        Assert.Empty(ProjectReferences("Calc.Contracts"));
        Assert.Contains(project.Descendants(), e => e.Name.LocalName == "Protobuf" && ((string?)e.Attribute("Include"))!.Contains("protos/calc/v1", StringComparison.Ordinal));
        Assert.Empty(handWritten);
    }

    [Fact]
    public void TransportProject_ReferencesApplicationAndContractsOnly() =>
        Assert.Equal(["Calc.Application", "Calc.Contracts"], ProjectReferences("Calc.Transport.Grpc"));

    [Fact]
    public void CalcV1Services_DeriveFromTheGeneratedBases()
    {
        var services = typeof(Calc.Transport.Grpc.GrpcServiceCollectionExtensions).Assembly.GetTypes()
            .Where(t => t.Namespace == "Calc.Transport.Grpc.Services.Calc" && t.Name.EndsWith("GrpcService", StringComparison.Ordinal))
            .ToArray();

        Assert.Equal(["CollateralGrpcService", "IncomeGrpcService", "QuoteGrpcService", "TaxGrpcService"], services.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var service in services)
        {
            var generatedBase = service.BaseType!;
            // grpc_csharp_plugin: calc.v1.XService → Calc.V1.XService.XServiceBase, bound by the generated BindService
            Assert.True(generatedBase.Assembly == typeof(Calc.V1.QuoteService).Assembly && generatedBase.DeclaringType?.GetMethod("BindService", [generatedBase]) is not null,
                $"{service.Name} derives from {generatedBase.FullName}, not from a generated calc.v1 service base");
        }
    }

    /// <summary>Source files (under src) allowed to name gRPC protocol headers or the gRPC content type, and why.</summary>
    private static readonly Dictionary<string, string> ProtocolTouches = new(StringComparer.Ordinal)
    {
        ["Calc.Transport.Grpc/Hosting/GrpcContentMatcherPolicy.cs"] = "application/grpc vs JSON on the old POST /calc.v1.<Service>/<Method> URLs",
        ["Calc.Transport.Grpc/Hosting/GrpcRequestMiddleware.cs"] = "caps grpc-timeout (Grpc:MaxDeadline); names the message limit in grpc-dotnet's RESOURCE_EXHAUSTED status",
        ["Calc.Transport.Grpc/Json/JsonStatusPages.cs"] = "leaves gRPC requests' statuses to grpc-dotnet",
        ["Calc.Server/Hosting/CallerLimits.cs"] = "refuses a call over a per-caller limit before grpc-dotnet reads it: a trailers-only gRPC status",
    };

    [Fact]
    public void GrpcProtocolHeaders_AppearOnlyWhereListed()
    {
        var offenders = AllSourceFiles()
            .Where(f => !ProtocolTouches.ContainsKey(f.Relative))
            .Where(f => File.ReadAllText(f.Path) is var text
                && (text.Contains("\"grpc-", StringComparison.Ordinal) || text.Contains("application/grpc", StringComparison.Ordinal)))
            .Select(f => f.Relative)
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void ProtobufWireEncoding_IsHandWrittenOnlyInTheIncomeCodec()
    {
        // the income codec (custom marshallers of RecognizeIncome/StreamRecognizeIncome) is the one hand-written
        // protobuf encoder/decoder; everything else goes through the generated messages
        var offenders = AllSourceFiles()
            .Where(f => !f.Relative.StartsWith("Calc.Transport.Grpc/Codecs/", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f.Path) is var text
                && (text.Contains("Varint", StringComparison.Ordinal) || text.Contains("WireFormat", StringComparison.Ordinal)
                    || text.Contains("CodedOutputStream", StringComparison.Ordinal) || text.Contains("CodedInputStream", StringComparison.Ordinal)))
            .Select(f => f.Relative)
            .ToArray();

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

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(Path.Combine(SharedData.RepoRoot, "src", project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IEnumerable<(string Path, string Relative)> AllSourceFiles() =>
        Directory.GetDirectories(Path.Combine(SharedData.RepoRoot, "src"))
            .SelectMany(dir => SourceFiles(Path.GetFileName(dir)))
            .Select(f => (f, Path.GetRelativePath(Path.Combine(SharedData.RepoRoot, "src"), f).Replace('\\', '/')));

    private static XDocument LoadProject(string name) =>
        XDocument.Load(Path.Combine(SharedData.RepoRoot, "src", name, name + ".csproj"));

    private static string[] ProjectReferences(string name) =>
        LoadProject(name).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include"))!.Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
