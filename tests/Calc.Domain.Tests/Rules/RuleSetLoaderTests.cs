using Calc.Domain.Errors;
using Calc.Domain.Rules;
using Calc.Domain.Tests.Support;

namespace Calc.Domain.Tests.Rules;

public class RuleSetLoaderTests
{
    public static TheoryData<string> MalformedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Rules", "Malformed"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_MalformedFile_FailsNamingFileAndReason(string failureMode)
    {
        // Arrange: the file is named after the failure mode it exercises
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", "Malformed", failureMode + ".json"));
        string name = "test/" + failureMode;

        // Act
        var ex = Assert.Throws<RuleSetLoadException>(() => ParameterFileParser.Parse(name, text));

        // Assert
        Assert.Equal(failureMode.ToUpperInvariant(), ex.Reason);
        Assert.Equal(name, ex.File);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedFiles_CoverEveryParameterFailureMode()
    {
        var modes = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Rules", "Malformed"), "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f).ToUpperInvariant()).ToHashSet();
        string[] expected =
        [
            RuleFileErrors.InvalidJson, RuleFileErrors.UnknownKey, RuleFileErrors.MissingKey, RuleFileErrors.InvalidDate,
            RuleFileErrors.DatesNotAscending, RuleFileErrors.InvalidValue, RuleFileErrors.ValueOutOfRange,
            RuleFileErrors.UnknownUnit, RuleFileErrors.MissingReference, RuleFileErrors.OrphanReference,
            RuleFileErrors.EmptyValues, RuleFileErrors.InvalidScale,
        ];
        Assert.Subset(modes, expected.ToHashSet());
    }

    [Fact]
    public void Load_MissingRequiredParameter_FailsWithMissingParameter()
    {
        // Arrange
        var files = EmbeddedFiles();
        files.Remove("Parameters/" + ParameterNames.ProfitFederalRate + ".json");

        // Act
        var ex = Assert.Throws<RuleSetLoadException>(() => RuleSetLoader.Load(files));

        // Assert
        Assert.Equal(RuleFileErrors.MissingParameter, ex.Reason);
        Assert.Equal(ParameterNames.ProfitFederalRate, ex.File);
    }

    [Fact]
    public void Load_BadCalendarCsv_FailsNamingTheFile()
    {
        var files = EmbeddedFiles();
        files[ParameterNames.CalendarFile] = files[ParameterNames.CalendarFile].Replace("2025-01-01,holiday", "2025-01-01,holyday", StringComparison.Ordinal);

        var ex = Assert.Throws<RuleSetLoadException>(() => RuleSetLoader.Load(files));

        Assert.Equal(RuleFileErrors.InvalidCsv, ex.Reason);
        Assert.Equal(ParameterNames.CalendarFile, ex.File);
    }

    [Fact]
    public void LoadEmbedded_Twice_SameVersion()
    {
        var a = RuleSetLoader.LoadEmbedded();
        var b = RuleSetLoader.LoadEmbedded();

        Assert.Equal(a.Version, b.Version);
        Assert.Matches("^sha256:[0-9a-f]{16}$", a.Version);
    }

    [Fact]
    public void Load_ChangedContent_ChangesVersion()
    {
        var files = EmbeddedFiles();
        string before = RuleSetLoader.Load(files).Version;
        string key = "Parameters/" + ParameterNames.NdflNonResidentRate + ".json";
        files[key] = files[key].Replace("\"0.30\"", "\"0.300\"", StringComparison.Ordinal);

        string after = RuleSetLoader.Load(files).Version;

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void LoadEmbedded_AllParametersReviewedAndReferenced()
    {
        var rules = TestRules.Embedded;

        Assert.Equal(6, rules.Parameters.Count);
        Assert.Equal(2, rules.Scales.Count);
        Assert.All(rules.Parameters.Values, p => Assert.All(p.Values, v => Assert.False(string.IsNullOrWhiteSpace(v.Reference.Title))));
        Assert.All(rules.Scales.Values, s => Assert.All(s.Segments, v => Assert.False(string.IsNullOrWhiteSpace(v.Reference.Title))));
    }

    [Fact]
    public void NdflMainScale_2025_FixedSumsFollowFromBrackets()
    {
        var scale = TestRules.Embedded.NdflMainScale.At(new DateOnly(2025, 1, 1)).Value;

        Assert.Equal([0m, 312000m, 702000m, 3402000m, 9402000m], scale.Brackets.Select(b => b.FixedSum));
        Assert.Equal([0.13m, 0.15m, 0.18m, 0.20m, 0.22m], scale.Brackets.Select(b => b.Rate));
    }

    [Theory]
    [InlineData(2025, "0.08", "0.17")]
    [InlineData(2030, "0.08", "0.17")]
    [InlineData(2031, "0.07", "0.18")]
    public void ProfitRates_ByYear_SplitFollowsTheLaw(int year, string federal, string regional)
    {
        var rules = TestRules.Embedded;
        var date = new DateOnly(year, 6, 30);

        Assert.Equal(decimal.Parse(federal, System.Globalization.CultureInfo.InvariantCulture), rules.ProfitFederalRate.At(date).Value);
        Assert.Equal(decimal.Parse(regional, System.Globalization.CultureInfo.InvariantCulture), rules.ProfitRegionalRate.At(date).Value);
    }

    [Fact]
    public void At_DateBeforeFirstValue_NoRuleInForce()
    {
        var result = TestRules.Embedded.ProfitFederalRate.At(new DateOnly(2024, 12, 31));

        Assert.False(result.IsSuccess);
        Assert.Equal(Reasons.NoRuleInForce, result.Error!.Reason);
    }

    [Fact]
    public void At_NullValueEndsRule_NoRuleInForceAfterIt()
    {
        // Arrange: comments and trailing commas are allowed
        const string json = """
            { // a rate that lapses
              "description": "d", "unit": "/1",
              "values": { "2025-01-01": { "value": "0.1" }, "2027-01-01": { "value": null }, },
              "references": { "2025-01-01": { "title": "a" }, "2027-01-01": { "title": "repealed" } },
              "lastReviewedOn": "2026-11-21",
            }
            """;
        var p = (Parameter)ParameterFileParser.Parse("t", json);

        // Act / Assert
        Assert.Equal(0.1m, p.At(new DateOnly(2026, 12, 31)).Value);
        Assert.Equal(Reasons.NoRuleInForce, p.At(new DateOnly(2027, 1, 1)).Error!.Reason);
    }

    [Fact]
    public void TaxRuleVersions_CoverEveryYearFrom2025_AndRefuse2024WithTheReason()
    {
        foreach (int year in new[] { 2025, 2026, 2031, 2032, 2040, 2100, TaxRuleVersions.LastTaxYear })
        {
            Assert.True(TaxRuleVersions.ForTaxYear(year).IsSuccess, $"{year}");
        }

        var refused = TaxRuleVersions.ForTaxYear(2024).Error!;
        Assert.Equal(Reasons.UnsupportedTaxYear, refused.Reason);
        Assert.Contains("art. 282.3", refused.Message, StringComparison.Ordinal);
        Assert.Contains("01.01.2025", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Reasons.UnsupportedTaxYear, TaxRuleVersions.ForTaxYear(TaxRuleVersions.LastTaxYear + 1).Error!.Reason);
    }

    [Fact]
    public void RuleSet_LastReviewedOn_IsTheEarliestReviewOfTheParameterFiles_AndFlagsLaterYears()
    {
        var rules = TestRules.Embedded;

        Assert.Equal(new DateOnly(2026, 11, 21), rules.LastReviewedOn);
        Assert.False(rules.IsPastReview(2026));
        Assert.True(rules.IsPastReview(2027));
        Assert.Null(rules.PastReviewNote(2025));
        Assert.Contains("2026-11-21", rules.PastReviewNote(2032), StringComparison.Ordinal);
    }

    internal static Dictionary<string, string> EmbeddedFiles()
    {
        var assembly = typeof(RuleSet).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            files[name] = reader.ReadToEnd();
        }

        return files;
    }
}
