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
    /// <summary>
    /// First tax year of the rules: Tax Code art. 282.3 and the rest of 418-FZ's tax rules apply from 01.01.2025
    /// (tax-rules R1.2). Mining was legal from 01.11.2024, but income received in 2024 falls under the rules of
    /// 2024, which Calc does not implement.
    /// </summary>
    public const int FirstTaxYear = 2025;

    /// <summary>
    /// Last year a tax computation accepts (its deadlines run into the next year). The law has no end date: a
    /// year after the last dated value is computed with the values in force (each holds until the next dated
    /// value) and flagged when it lies past the rules' last review (<see cref="RuleSet.LastReviewedOn"/>).
    /// </summary>
    public const int LastTaxYear = 9998;

    public static IReadOnlyList<TaxRuleVersion> All { get; } =
    [
        new(new DateOnly(2025, 1, 1), "digital-currency-2025",
            "Federal Law 29.11.2024 No 418-FZ (digital currency as property, art. 282.3) and 12.07.2024 No 176-FZ (five-bracket NDFL, 25 % profit tax)",
            new ProgressiveNdflRule(), new SeparateCryptoBaseProfitTaxRule()),
    ];

    /// <summary>The version in force for <paramref name="taxYear"/>, or UNSUPPORTED_TAX_YEAR / NO_RULE_IN_FORCE.</summary>
    public static CalcResult<TaxRuleVersion> ForTaxYear(int taxYear)
    {
        if (taxYear < FirstTaxYear)
        {
            return CalcError.Invalid(Reasons.UnsupportedTaxYear, "tax_year",
                $"tax year {taxYear} is not covered: Calc implements the digital-currency tax rules of Federal Law 418-FZ "
                + $"(Tax Code art. 282.3), which apply from 01.01.{FirstTaxYear}. Mining income received before that "
                + "(mining was legal from 01.11.2024) is taxed under the rules of its own year, which Calc does not compute: "
                + "declare it for that year outside Calc (3-NDFL or the profit-tax return, with your tax adviser), "
                + $"and use Calc for tax years {FirstTaxYear} onwards");
        }

        if (taxYear > LastTaxYear)
        {
            return CalcError.Invalid(Reasons.UnsupportedTaxYear, "tax_year",
                $"tax year {taxYear} is not a year Calc can compute (the latest is {LastTaxYear})");
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
