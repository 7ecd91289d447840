using Calc.Transport.Grpc.Binding;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Calc.Transport.Grpc.Reflection;

/// <summary>
/// What server reflection answers from: the files of every mapped service plus extra files, indexed by file
/// name and by fully-qualified symbol (services, methods, messages, enums, nested types, extensions). Built on
/// first use, after all services are mapped.
/// </summary>
internal sealed class ReflectionIndex(GrpcServiceRegistry registry)
{
    private readonly List<FileDescriptor> _extraFiles = [];
    private Snapshot? _snapshot;

    public void AddFiles(IEnumerable<FileDescriptor> files)
    {
        _extraFiles.AddRange(files);
        _snapshot = null;
    }

    public IReadOnlyList<string> ServiceNames => Current.ServiceNames;

    /// <summary>The file and its transitive dependencies (file first), serialized; null if unknown.</summary>
    public IReadOnlyList<ByteString>? FileByName(string name) =>
        Current.Files.TryGetValue(name, out var file) ? WithDependencies(file) : null;

    public IReadOnlyList<ByteString>? FileContainingSymbol(string symbol)
    {
        var s = symbol.TrimStart('.');
        return Current.Symbols.TryGetValue(s, out var file) ? WithDependencies(file) : null;
    }

    public IReadOnlyList<ByteString>? FileContainingExtension(string containingType, int number) =>
        Current.Extensions.TryGetValue((containingType.TrimStart('.'), number), out var file) ? WithDependencies(file) : null;

    public IReadOnlyList<int>? ExtensionNumbersOf(string type)
    {
        var snapshot = Current;
        var t = type.TrimStart('.');
        if (!snapshot.Symbols.ContainsKey(t))
        {
            return null;
        }

        return [.. snapshot.Extensions.Keys.Where(k => k.Type == t).Select(k => k.Number).Order()];
    }

    private Snapshot Current => _snapshot ??= Build();

    private static List<ByteString> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ByteString>();
        var queue = new Queue<FileDescriptor>();
        queue.Enqueue(file);
        while (queue.Count > 0)
        {
            var f = queue.Dequeue();
            if (!seen.Add(f.Name))
            {
                continue;
            }

            result.Add(f.SerializedData);
            foreach (var dependency in f.Dependencies)
            {
                queue.Enqueue(dependency);
            }
        }

        return result;
    }

    private Snapshot Build()
    {
        var services = registry.Services;
        var roots = services.Select(s => s.File).Concat(_extraFiles);
        var files = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>(roots);
        while (pending.Count > 0)
        {
            var f = pending.Pop();
            if (files.TryAdd(f.Name, f))
            {
                foreach (var dependency in f.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }

        var symbols = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        var extensions = new Dictionary<(string Type, int Number), FileDescriptor>();
        foreach (var file in files.Values)
        {
            foreach (var service in file.Services)
            {
                symbols.TryAdd(service.FullName, file);
                foreach (var method in service.Methods)
                {
                    symbols.TryAdd(method.FullName, file);
                }
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, file, symbols, extensions);
            }

            foreach (var e in file.EnumTypes)
            {
                symbols.TryAdd(e.FullName, file);
            }

            foreach (var extension in file.Extensions.UnorderedExtensions)
            {
                symbols.TryAdd(extension.FullName, file);
                extensions.TryAdd((extension.ExtendeeType.FullName, extension.FieldNumber), file);
            }
        }

        return new Snapshot(files, symbols, extensions, [.. services.Select(s => s.FullName).Order(StringComparer.Ordinal)]);
    }

    private static void AddMessage(MessageDescriptor message, FileDescriptor file, Dictionary<string, FileDescriptor> symbols,
        Dictionary<(string, int), FileDescriptor> extensions)
    {
        symbols.TryAdd(message.FullName, file);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file, symbols, extensions);
        }

        foreach (var e in message.EnumTypes)
        {
            symbols.TryAdd(e.FullName, file);
        }

        foreach (var extension in message.Extensions.UnorderedExtensions)
        {
            symbols.TryAdd(extension.FullName, file);
            extensions.TryAdd((extension.ExtendeeType.FullName, extension.FieldNumber), file);
        }
    }

    private sealed record Snapshot(
        Dictionary<string, FileDescriptor> Files,
        Dictionary<string, FileDescriptor> Symbols,
        Dictionary<(string Type, int Number), FileDescriptor> Extensions,
        IReadOnlyList<string> ServiceNames);
}
