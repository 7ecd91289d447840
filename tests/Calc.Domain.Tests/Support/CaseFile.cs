using System.Globalization;
using System.Text.Json;
using Calc.Domain.Dates;
using Calc.Domain.Errors;
using Calc.Domain.Money;

namespace Calc.Domain.Tests.Support;

/// <summary>
/// A tax case as data (OpenFisca style): <c>name, description, asOf, comment, input, expected</c>.
/// <c>expected</c> holds the fields to check (decimals as strings, compared exactly) or <c>error</c> = reason token.
/// </summary>
internal sealed record CaseFile(string Name, string Description, DateOnly AsOf, string Comment, JsonElement Input, JsonElement Expected)
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TheoryData<string> Names(string area)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(Folder(area), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(path));
        }

        return data;
    }

    public static CaseFile Load(string area, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(area), name + ".json")), Options);
        var root = doc.RootElement.Clone();
        Assert.Equal(name, root.GetProperty("name").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("description").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("comment").GetString()));
        Assert.True(IsoDate.TryParse(root.GetProperty("asOf").GetString(), out var asOf));
        return new CaseFile(name, root.GetProperty("description").GetString()!, asOf,
            root.GetProperty("comment").GetString()!, root.GetProperty("input"), root.GetProperty("expected"));
    }

    private static string Folder(string area) => Path.Combine(AppContext.BaseDirectory, "Cases", area);
}

internal static class Json
{
    public static decimal Dec(this JsonElement e, string name, decimal fallback = 0m) =>
        e.TryGetProperty(name, out var v) ? Dec(v) : fallback;

    public static decimal? DecOrNull(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Dec(v) : null;

    public static decimal Dec(JsonElement v) =>
        DecimalText.TryParse(v.GetString(), out var d) ? d : throw new InvalidOperationException($"'{v}' is not a decimal string");

    public static DateOnly Date(this JsonElement e, string name) =>
        IsoDate.TryParse(e.GetProperty(name).GetString(), out var d) ? d : throw new InvalidOperationException($"bad date {name}");

    public static string Str(this JsonElement e, string name, string fallback = "") =>
        e.TryGetProperty(name, out var v) ? v.GetString() ?? fallback : fallback;

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateArray() : [];
}

/// <summary>Compares a case's <c>expected</c> object with actual values: decimals exactly, strings/bools/ints by value.</summary>
internal static class CaseAssert
{
    public static void Error(JsonElement expected, CalcError? actual, string caseName)
    {
        Assert.True(actual is not null, $"{caseName}: expected error {expected.GetProperty("error").GetString()} but the computation succeeded");
        Assert.Equal(expected.GetProperty("error").GetString(), actual!.Reason);
        if (expected.TryGetProperty("message_contains", out var text))
        {
            Assert.Contains(text.GetString()!, actual.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>An <c>explanation_contains</c> expectation: some explanation line contains the text.</summary>
    public static void Explanation(JsonElement expected, IReadOnlyList<string> lines, string caseName)
    {
        if (expected.TryGetProperty("explanation_contains", out var text))
        {
            Assert.True(lines.Any(l => l.Contains(text.GetString()!, StringComparison.Ordinal)),
                $"{caseName}: no explanation line contains '{text.GetString()}':\n{string.Join("\n", lines)}");
        }
    }

    public static void Fields(JsonElement expected, IReadOnlyDictionary<string, object?> actual, string path)
    {
        foreach (var p in expected.EnumerateObject())
        {
            if (p.Name == "explanation_contains")
            {
                continue;
            }

            string where = path + "." + p.Name;
            Assert.True(actual.ContainsKey(p.Name), $"{where}: no such actual field");
            Value(p.Value, actual[p.Name], where);
        }
    }

    private static void Value(JsonElement expected, object? actual, string where)
    {
        switch (actual)
        {
            case null:
                Assert.True(expected.ValueKind == JsonValueKind.Null, $"{where}: expected {expected}, actual null");
                break;
            case decimal d:
                Assert.True(expected.ValueKind == JsonValueKind.String, $"{where}: decimals are written as strings");
                Assert.True(Json.Dec(expected) == d, $"{where}: expected {expected.GetString()}, actual {d.ToString(CultureInfo.InvariantCulture)}");
                break;
            case bool b:
                Assert.True(expected.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{where}: expected a bool");
                Assert.True(expected.GetBoolean() == b, $"{where}: expected {expected}, actual {b}");
                break;
            case int i:
                Assert.True(expected.GetInt32() == i, $"{where}: expected {expected}, actual {i}");
                break;
            case string s:
                Assert.True(expected.GetString() == s, $"{where}: expected '{expected.GetString()}', actual '{s}'");
                break;
            case IReadOnlyList<IReadOnlyDictionary<string, object?>> list:
                var items = expected.EnumerateArray().ToList();
                Assert.True(items.Count == list.Count, $"{where}: expected {items.Count} items, actual {list.Count}");
                for (int k = 0; k < items.Count; k++)
                {
                    Fields(items[k], list[k], $"{where}[{k}]");
                }

                break;
            default:
                throw new InvalidOperationException($"{where}: unsupported actual type {actual.GetType()}");
        }
    }
}
