using Calc.Domain.Errors;
using Calc.Domain.Tax.Ndfl;
using Calc.Domain.Tax.ProfitTax;

namespace Calc.Domain.Rules;

/// <summary>
/// A regime of tax logic (code, not numbers) in force from <see cref="From"/> until the next entry of
/// <see cref="TaxRuleVersions.All"/>. Numbers that change with the law live in parameter files.
/// </summary>
public sealed record TaxRuleVersion(DateOnly From, string Name, string LegalBasis, INdflRule Ndfl, IProfitTaxRule ProfitTax);

/// <summary>
/// The one table of rule versions, in the spirit of OpenFisca's <c>formula_YYYY_MM_DD</c>: a reader sees every
/// change of tax logic here. Add a row when the law changes the logic (not just a rate).
/// </summary>
public static class TaxRuleVersions
{
    /// <summary>First and last tax year the rules are known for (the 2031 split is already law).</summary>
    public const int FirstTaxYear = 2025;

    public const int LastTaxYear = 2031;

    public static IReadOnlyList<TaxRuleVersion> All { get; } =
    [
        new(new DateOnly(2025, 1, 1), "digital-currency-2025",
            "Federal Law 29.11.2024 No 418-FZ (digital currency as property, art. 282.3) and 12.07.2024 No 176-FZ (five-bracket NDFL, 25 % profit tax)",
            new ProgressiveNdflRule(), new SeparateCryptoBaseProfitTaxRule()),
    ];

    /// <summary>The version in force for <paramref name="taxYear"/>, or UNSUPPORTED_TAX_YEAR / NO_RULE_IN_FORCE.</summary>
    public static CalcResult<TaxRuleVersion> ForTaxYear(int taxYear)
    {
        if (taxYear < FirstTaxYear || taxYear > LastTaxYear)
        {
            return CalcError.Invalid(Reasons.UnsupportedTaxYear, "tax_year",
                $"tax year {taxYear} is not covered: the rules cover {FirstTaxYear}-{LastTaxYear}");
        }

        var start = new DateOnly(taxYear, 1, 1);
        TaxRuleVersion? found = null;
        foreach (var v in All)
        {
            if (v.From <= start)
            {
                found = v;
            }
        }

        return found is null
            ? CalcError.Precondition(Reasons.NoRuleInForce, $"no tax rule version is in force for {taxYear}", "tax_year")
            : found;
    }
}
