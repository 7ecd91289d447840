using System.Text.Json;
using Calc.Domain.Dates;
using Calc.Domain.Money;

namespace Calc.Domain.Rules;

/// <summary>
/// Strict parser of one parameter file. Shape (OpenFisca): <c>description</c>, <c>unit</c>,
/// <c>values</c> {ISO date: {value: "decimal string" | null}} or <c>brackets</c>
/// [{threshold: {...}, rate: {...}}] with <c>threshold_unit</c>, <c>references</c> {ISO date: {title, href?}}
/// (one per date that appears in the values), <c>lastReviewedOn</c>. Numbers are strings so they never
/// pass through a binary float. Comments and trailing commas are allowed.
/// </summary>
public static class ParameterFileParser
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 16,
    };

    private static readonly HashSet<string> Units = new(StringComparer.Ordinal) { "/1", "currency-RUB", "kWh" };
    private static readonly HashSet<string> ScalarKeys = new(StringComparer.Ordinal) { "description", "unit", "values", "references", "lastReviewedOn" };
    private static readonly HashSet<string> ScaleKeys = new(StringComparer.Ordinal) { "description", "unit", "threshold_unit", "brackets", "references", "lastReviewedOn" };

    /// <summary>Parses a file; <paramref name="name"/> is its path below Parameters/ (used in errors).</summary>
    public static object Parse(string name, string json)
    {
        ArgumentNullException.ThrowIfNull(name);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            throw Fail(name, RuleFileErrors.InvalidJson, ex.Message);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Fail(name, RuleFileErrors.InvalidJson, "the top level must be an object");
            }

            bool isScale = root.TryGetProperty("brackets", out _);
            CheckKeys(name, root, isScale ? ScaleKeys : ScalarKeys, "file");
            string description = RequiredString(name, root, "description");
            string unit = Unit(name, RequiredString(name, root, "unit"));
            DateOnly reviewed = ParseDate(name, RequiredString(name, root, "lastReviewedOn"), "lastReviewedOn");
            var references = ParseReferences(name, Required(name, root, "references"));

            if (!isScale)
            {
                var values = ParseSeries(name, Required(name, root, "values"), unit, "values");
                CheckReferences(name, values.Select(v => v.Date).ToHashSet(), references);
                var entries = values.Select(v => new ParameterValue(v.Date, v.Value, references[v.Date])).ToArray();
                return new Parameter(name, description, unit, reviewed, entries);
            }

            string thresholdUnit = Unit(name, RequiredString(name, root, "threshold_unit"));
            return ParseScale(name, root, description, unit, thresholdUnit, reviewed, references);
        }
    }

    private static ScaleParameter ParseScale(string name, JsonElement root, string description, string rateUnit,
        string thresholdUnit, DateOnly reviewed, Dictionary<DateOnly, LegalReference> references)
    {
        var bracketsElement = root.GetProperty("brackets");
        if (bracketsElement.ValueKind != JsonValueKind.Array || bracketsElement.GetArrayLength() == 0)
        {
            throw Fail(name, RuleFileErrors.EmptyValues, "brackets must be a non-empty array");
        }

        var brackets = new List<(List<(DateOnly Date, decimal? Value)> Threshold, List<(DateOnly Date, decimal? Value)> Rate)>();
        int index = 0;
        foreach (var b in bracketsElement.EnumerateArray())
        {
            string where = $"brackets[{index++}]";
            if (b.ValueKind != JsonValueKind.Object)
            {
                throw Fail(name, RuleFileErrors.InvalidScale, where + " must be an object");
            }

            CheckKeys(name, b, new HashSet<string>(StringComparer.Ordinal) { "threshold", "rate" }, where);
            brackets.Add((ParseSeries(name, Required(name, b, "threshold"), thresholdUnit, where + ".threshold"),
                ParseSeries(name, Required(name, b, "rate"), rateUnit, where + ".rate")));
        }

        var dates = brackets.SelectMany(b => b.Threshold.Concat(b.Rate)).Select(v => v.Date).ToHashSet();
        CheckReferences(name, dates, references);
        var segments = new List<ScaleSegment>();
        foreach (var date in dates.Order())
        {
            var inForce = new List<(decimal Threshold, decimal Rate)>();
            foreach (var (threshold, rate) in brackets)
            {
                if (ValueOn(threshold, date) is { } t && ValueOn(rate, date) is { } r)
                {
                    inForce.Add((t, r));
                }
            }

            TaxScale? scale = null;
            if (inForce.Count > 0)
            {
                inForce.Sort((a, b) => a.Threshold.CompareTo(b.Threshold));
                if (inForce[0].Threshold != 0m)
                {
                    throw Fail(name, RuleFileErrors.InvalidScale, $"on {IsoDate.ToText(date)} the lowest threshold is {inForce[0].Threshold}, not 0");
                }

                for (int i = 1; i < inForce.Count; i++)
                {
                    if (inForce[i].Threshold == inForce[i - 1].Threshold)
                    {
                        throw Fail(name, RuleFileErrors.InvalidScale, $"on {IsoDate.ToText(date)} two brackets share threshold {inForce[i].Threshold}");
                    }
                }

                scale = new TaxScale(inForce);
            }

            segments.Add(new ScaleSegment(date, scale, references[date]));
        }

        return new ScaleParameter(name, description, thresholdUnit, reviewed, segments.ToArray());
    }

    private static decimal? ValueOn(List<(DateOnly Date, decimal? Value)> series, DateOnly date)
    {
        decimal? value = null;
        foreach (var (d, v) in series)
        {
            if (d > date)
            {
                break;
            }

            value = v;
        }

        return value;
    }

    private static List<(DateOnly Date, decimal? Value)> ParseSeries(string name, JsonElement element, string unit, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(name, RuleFileErrors.InvalidValue, where + " must be an object keyed by ISO date");
        }

        var list = new List<(DateOnly, decimal?)>();
        foreach (var p in element.EnumerateObject())
        {
            var date = ParseDate(name, p.Name, where);
            if (list.Count > 0 && date <= list[^1].Item1)
            {
                throw Fail(name, RuleFileErrors.DatesNotAscending, $"{where}: {p.Name} does not follow {IsoDate.ToText(list[^1].Item1)} (dates must ascend strictly, no duplicates)");
            }

            if (p.Value.ValueKind != JsonValueKind.Object)
            {
                throw Fail(name, RuleFileErrors.InvalidValue, $"{where}.{p.Name} must be an object {{\"value\": \"...\"}}");
            }

            CheckKeys(name, p.Value, new HashSet<string>(StringComparer.Ordinal) { "value" }, $"{where}.{p.Name}");
            var v = Required(name, p.Value, "value");
            decimal? value = v.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String when DecimalText.TryParse(v.GetString(), out var d) => d,
                JsonValueKind.Number => throw Fail(name, RuleFileErrors.InvalidValue, $"{where}.{p.Name}: numbers are written as strings (got {v.GetRawText()})"),
                _ => throw Fail(name, RuleFileErrors.InvalidValue, $"{where}.{p.Name}: '{v.GetRawText()}' is not a strict decimal string"),
            };
            if (value is { } x)
            {
                CheckRange(name, unit, x, $"{where}.{p.Name}");
            }

            list.Add((date, value));
        }

        if (list.Count == 0)
        {
            throw Fail(name, RuleFileErrors.EmptyValues, where + " has no dated value");
        }

        if (list[0].Item2 is null)
        {
            throw Fail(name, RuleFileErrors.InvalidValue, where + ": the first value cannot be null");
        }

        return list;
    }

    private static void CheckRange(string name, string unit, decimal value, string where)
    {
        bool ok = unit == "/1" ? value is >= 0m and <= 1m : value >= 0m;
        if (!ok)
        {
            throw Fail(name, RuleFileErrors.ValueOutOfRange, $"{where}: {value} is out of range for unit {unit}");
        }
    }

    private static Dictionary<DateOnly, LegalReference> ParseReferences(string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(name, RuleFileErrors.MissingReference, "references must be an object keyed by ISO date");
        }

        var map = new Dictionary<DateOnly, LegalReference>();
        foreach (var p in element.EnumerateObject())
        {
            var date = ParseDate(name, p.Name, "references");
            if (p.Value.ValueKind != JsonValueKind.Object)
            {
                throw Fail(name, RuleFileErrors.MissingReference, $"references.{p.Name} must be an object {{title, href}}");
            }

            CheckKeys(name, p.Value, new HashSet<string>(StringComparer.Ordinal) { "title", "href" }, "references." + p.Name);
            string title = RequiredString(name, p.Value, "title");
            string? href = p.Value.TryGetProperty("href", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
            if (!map.TryAdd(date, new LegalReference(title, href)))
            {
                throw Fail(name, RuleFileErrors.DatesNotAscending, $"references: duplicate date {p.Name}");
            }
        }

        return map;
    }

    private static void CheckReferences(string name, HashSet<DateOnly> dates, Dictionary<DateOnly, LegalReference> references)
    {
        foreach (var date in dates.Order())
        {
            if (!references.ContainsKey(date))
            {
                throw Fail(name, RuleFileErrors.MissingReference, $"no reference for {IsoDate.ToText(date)}");
            }
        }

        foreach (var date in references.Keys.Order())
        {
            if (!dates.Contains(date))
            {
                throw Fail(name, RuleFileErrors.OrphanReference, $"reference for {IsoDate.ToText(date)} matches no dated value");
            }
        }
    }

    private static void CheckKeys(string name, JsonElement element, HashSet<string> allowed, string where)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            if (!allowed.Contains(p.Name))
            {
                throw Fail(name, RuleFileErrors.UnknownKey, $"{where}: unknown key '{p.Name}'");
            }

            if (!seen.Add(p.Name))
            {
                throw Fail(name, RuleFileErrors.UnknownKey, $"{where}: key '{p.Name}' appears twice");
            }
        }
    }

    private static JsonElement Required(string name, JsonElement element, string key) =>
        element.TryGetProperty(key, out var value) ? value : throw Fail(name, RuleFileErrors.MissingKey, $"missing '{key}'");

    private static string RequiredString(string name, JsonElement element, string key)
    {
        var value = Required(name, element, key);
        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw Fail(name, RuleFileErrors.MissingKey, $"'{key}' must be a non-empty string");
    }

    private static string Unit(string name, string unit) =>
        Units.Contains(unit) ? unit : throw Fail(name, RuleFileErrors.UnknownUnit, $"unit '{unit}' is not one of {string.Join(", ", Units)}");

    private static DateOnly ParseDate(string name, string? text, string where) =>
        IsoDate.TryParse(text, out var date) ? date : throw Fail(name, RuleFileErrors.InvalidDate, $"{where}: '{text}' is not an ISO date YYYY-MM-DD");

    private static RuleSetLoadException Fail(string name, string reason, string detail) => new(name, reason, detail);
}
