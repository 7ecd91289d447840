using Calc.Domain.Rules;

namespace Calc.Domain.Tests.Support;

/// <summary>The embedded rule set, loaded once for the test run (it is immutable).</summary>
internal static class TestRules
{
    private static readonly Lazy<RuleSet> Lazy = new(RuleSetLoader.LoadEmbedded);

    public static RuleSet Embedded => Lazy.Value;
}
