using Calc.Domain.Calendar;
using Calc.Domain.Deadlines;
using Calc.Domain.Errors;
using Calc.Domain.Money;
using Calc.Domain.Rules;

namespace Calc.Domain.Compliance;

/// <summary>Tax regimes; miners may use only the general regime (tax-rules R1.3).</summary>
public enum TaxRegime
{
    General,
    Usn,
    Eshn,
    Ausn,
    Npd,
    Psn,
}

public enum FindingSeverity
{
    /// <summary>The stated facts break a rule.</summary>
    Violation,

    /// <summary>The facts may break a rule; something must be verified (e.g. the district).</summary>
    Warning,
}

/// <summary>One compliance finding with a stable reason token and the legal basis.</summary>
public sealed record Finding(string Reason, FindingSeverity Severity, string Message, string LegalBasis, string Field = "");

/// <summary>
/// What a miner states (api.md CheckCompliance): kind, tax regime, power consumption per month (kWh),
/// FNS region code (two digits; empty = not checked) and the date to check territory bans on.
/// </summary>
public sealed record ComplianceInput(TaxpayerKind Kind, TaxRegime Regime, IReadOnlyList<decimal> MonthlyKwh, string? Region, DateOnly Date);

/// <summary>Checks the mining-specific legal conditions: registration limit, banned regimes, banned territories.</summary>
public static class ComplianceChecker
{
    private const string RegimeBasis =
        "miners may not apply USN, ESHN, AUSN, NPD or PSN (Federal Law 29.11.2024 No 418-FZ; USN: Tax Code art. 346.12 p.3 sub-p.23; FNS 05.09.2025; tax-rules R1.3)";

    private const string TerritoryBasis =
        "Government decree of 23.12.2024 (reported as No 1869) on mining bans in regions, as amended from 07.04.2025 (tax-rules O2)";

    public static CalcResult<IReadOnlyList<Finding>> Check(ComplianceInput input, RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rules);
        if (!Enum.IsDefined(input.Kind) || !Enum.IsDefined(input.Regime))
        {
            return CalcError.Invalid(Reasons.InvalidEnum, "taxpayer_kind", "unknown taxpayer kind or tax regime");
        }

        var findings = new List<Finding>();
        var kwh = KwhLimit(input, rules, findings);
        if (kwh is not null)
        {
            return kwh;
        }

        if (input.Regime != TaxRegime.General)
        {
            findings.Add(new Finding(Reasons.BannedTaxRegime, FindingSeverity.Violation,
                $"tax regime {input.Regime.ToString().ToUpperInvariant()} is not available for mining income; use the general regime (NDFL / profit tax)",
                RegimeBasis, "tax_regime"));
        }

        return Territory(input, rules, findings) ?? (CalcResult<IReadOnlyList<Finding>>)findings;
    }

    private static CalcError? KwhLimit(ComplianceInput input, RuleSet rules, List<Finding> findings)
    {
        if (input.MonthlyKwh is null)
        {
            return null;
        }

        for (int i = 0; i < input.MonthlyKwh.Count; i++)
        {
            if (input.MonthlyKwh[i] < 0m)
            {
                return CalcError.Invalid(Reasons.NegativeAmount, $"monthly_kwh[{i}]", "consumption must not be negative");
            }
        }

        if (input.Kind != TaxpayerKind.Individual)
        {
            return null;
        }

        var limit = rules.IndividualMonthlyKwhLimit.EntryAt(input.Date);
        if (!limit.IsSuccess)
        {
            return limit.Error;
        }

        decimal max = limit.Value.Value!.Value;
        for (int i = 0; i < input.MonthlyKwh.Count; i++)
        {
            if (input.MonthlyKwh[i] > max)
            {
                findings.Add(new Finding(Reasons.RegistrationRequired, FindingSeverity.Violation,
                    $"month {i + 1}: {DecimalText.Format(input.MonthlyKwh[i])} kWh exceeds the {DecimalText.Format(max)} kWh limit for individuals: register as IP or organisation and enter the FNS registry of miners",
                    limit.Value.Reference.Title, $"monthly_kwh[{i}]"));
            }
        }

        return null;
    }

    private static CalcError? Territory(ComplianceInput input, RuleSet rules, List<Finding> findings)
    {
        if (string.IsNullOrEmpty(input.Region))
        {
            return null;
        }

        if (input.Region.Length != 2 || !input.Region.All(char.IsAsciiDigit))
        {
            return CalcError.Invalid(Reasons.UnknownRegion, "region", $"region '{input.Region}' must be a two-digit FNS subject code");
        }

        foreach (var r in rules.Restrictions.ForRegion(input.Region))
        {
            if (!r.AppliesOn(input.Date))
            {
                continue;
            }

            string window = r.IsSeasonal ? $"season {r.SeasonFrom}..{r.SeasonTo} within {r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd}" : $"{r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd}";
            var finding = (r.Scope, r.IsSeasonal) switch
            {
                (RestrictionScope.Whole, _) => new Finding(Reasons.RestrictedTerritory, FindingSeverity.Violation,
                    $"mining (incl. pool participation) is banned in {r.RegionName} ({window})", TerritoryBasis, "region"),
                (RestrictionScope.Part, true) => new Finding(Reasons.RestrictedSeason, FindingSeverity.Warning,
                    $"seasonal ban in listed territories of {r.RegionName} ({window}); the district list is not confirmed: verify the district", TerritoryBasis, "region"),
                _ => new Finding(Reasons.PossiblyRestrictedTerritory, FindingSeverity.Warning,
                    $"full-year ban in listed municipalities of {r.RegionName} ({window}): verify whether the site is in one of them ({r.Note})", TerritoryBasis, "region"),
            };
            findings.Add(finding);
        }

        return null;
    }
}
