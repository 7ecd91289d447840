using Calc.Domain.Calendar;
using Calc.Domain.Errors;
using Calc.Domain.Rules;

namespace Calc.Domain.Deadlines;

public enum TaxpayerKind
{
    Individual,
    IndividualEntrepreneur,
    Organization,
}

public enum DeadlineKind
{
    MonthlyMiningReport,
    NdflDeclaration,
    NdflPayment,
    ProfitTaxDeclaration,
    ProfitTaxPayment,
}

/// <summary>
/// A filing or payment deadline. <see cref="StatutoryDate"/> is the date the act names;
/// <see cref="DueDate"/> is that date moved to the next working day when it is not one (Tax Code art. 6.1
/// p.7; for the mining report Civil Code art. 193). <see cref="Period"/>: <c>2025-08</c>, <c>2025-Q1</c>,
/// <c>2025-H1</c>, <c>2025-M9</c>, <c>2025</c>. <see cref="DueDate"/> is null, with <see cref="DueDateError"/>
/// set, when the production calendar does not cover the days the shift needs (no guessing of transfers).
/// </summary>
public sealed record Deadline(DeadlineKind Kind, string Period, DateOnly StatutoryDate, DateOnly? DueDate, string LegalBasis,
    CalcError? DueDateError = null);

/// <summary>Deadlines of a tax year for a kind of taxpayer, shifted by the production calendar.</summary>
public static class DeadlineCalculator
{
    public const string ShiftBasis = "due date moved to the next working day: Tax Code art. 6.1 p.7";

    private const string MonthlyReportBasis =
        "monthly report on mined digital currency by the 20th of the following month (Federal Law 259-FZ as amended by 221-FZ; Government decree 01.11.2024, reported as No 1466; tax-rules D1); shift by Civil Code art. 193";

    /// <summary>The monthly mining report for coins received in <paramref name="year"/>-<paramref name="month"/> is due by the 20th of the next month.</summary>
    public static DateOnly MonthlyReportStatutoryDate(int year, int month) => new DateOnly(year, month, 1).AddMonths(1).AddDays(19);

    public static CalcResult<Deadline> MonthlyMiningReport(int year, int month, ProductionCalendar calendar) =>
        Shifted(DeadlineKind.MonthlyMiningReport, $"{year:0000}-{month:00}", MonthlyReportStatutoryDate(year, month), MonthlyReportBasis, calendar);

    /// <summary>
    /// All deadlines of tax year <paramref name="year"/>, ordered by statutory date then kind. A deadline whose
    /// due date falls outside the calendar is still listed, with its statutory date and the calendar's error
    /// (CALENDAR_OUT_OF_RANGE) instead of a due date; only a year without rules in force fails as a whole.
    /// </summary>
    public static CalcResult<IReadOnlyList<Deadline>> ForYear(TaxpayerKind kind, int year, ProductionCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (!Enum.IsDefined(kind))
        {
            return CalcError.Invalid(Reasons.InvalidEnum, "taxpayer_kind", "taxpayer_kind must be INDIVIDUAL, INDIVIDUAL_ENTREPRENEUR or ORGANIZATION");
        }

        var version = TaxRuleVersions.ForTaxYear(year);
        if (!version.IsSuccess)
        {
            return version.Error!;
        }

        var list = new List<Deadline>(20);
        for (int month = 1; month <= 12; month++)
        {
            list.Add(OrUnsettled(DeadlineKind.MonthlyMiningReport, $"{year:0000}-{month:00}", MonthlyReportStatutoryDate(year, month),
                MonthlyReportBasis, calendar));
        }

        foreach (var (k, period, date, basis) in Statutory(kind, year))
        {
            list.Add(OrUnsettled(k, period, date, basis, calendar));
        }

        list.Sort(static (a, b) => a.StatutoryDate != b.StatutoryDate ? a.StatutoryDate.CompareTo(b.StatutoryDate) : a.Kind.CompareTo(b.Kind));
        return list;
    }

    /// <summary>The statutory (unshifted) declaration and payment dates of a tax year.</summary>
    public static IEnumerable<(DeadlineKind Kind, string Period, DateOnly Date, string LegalBasis)> Statutory(TaxpayerKind kind, int year)
    {
        string y = year.ToString("0000", System.Globalization.CultureInfo.InvariantCulture);
        if (kind == TaxpayerKind.Organization)
        {
            const string decl = "profit tax declaration: periods by the 25th of the following month, year by 25 March (Tax Code art. 289 p.3, p.4 as amended by 263-FZ)";
            const string pay = "profit tax payment: period advances by the 28th of the following month, year by 28 March (Tax Code art. 287 p.1, p.3 as amended by 263-FZ)";
            yield return (DeadlineKind.ProfitTaxDeclaration, y + "-Q1", new DateOnly(year, 4, 25), decl);
            yield return (DeadlineKind.ProfitTaxPayment, y + "-Q1", new DateOnly(year, 4, 28), pay);
            yield return (DeadlineKind.ProfitTaxDeclaration, y + "-H1", new DateOnly(year, 7, 25), decl);
            yield return (DeadlineKind.ProfitTaxPayment, y + "-H1", new DateOnly(year, 7, 28), pay);
            yield return (DeadlineKind.ProfitTaxDeclaration, y + "-M9", new DateOnly(year, 10, 25), decl);
            yield return (DeadlineKind.ProfitTaxPayment, y + "-M9", new DateOnly(year, 10, 28), pay);
            yield return (DeadlineKind.ProfitTaxDeclaration, y, new DateOnly(year + 1, 3, 25), decl);
            yield return (DeadlineKind.ProfitTaxPayment, y, new DateOnly(year + 1, 3, 28), pay);
            yield break;
        }

        if (kind == TaxpayerKind.IndividualEntrepreneur)
        {
            const string advance = "IP NDFL advance payment by the 28th of the month after the period (Tax Code art. 227 p.8 as amended by 263-FZ; tax-rules D3, Q9: 28th assumed)";
            yield return (DeadlineKind.NdflPayment, y + "-Q1", new DateOnly(year, 4, 28), advance);
            yield return (DeadlineKind.NdflPayment, y + "-H1", new DateOnly(year, 7, 28), advance);
            yield return (DeadlineKind.NdflPayment, y + "-M9", new DateOnly(year, 10, 28), advance);
        }

        yield return (DeadlineKind.NdflDeclaration, y, new DateOnly(year + 1, 4, 30), "3-NDFL by 30 April of the following year (Tax Code art. 229 p.1)");
        yield return (DeadlineKind.NdflPayment, y, new DateOnly(year + 1, 7, 15),
            kind == TaxpayerKind.IndividualEntrepreneur
                ? "NDFL for the year by 15 July of the following year (Tax Code art. 227 p.6)"
                : "NDFL per declaration by 15 July of the following year (Tax Code art. 228 p.4)");
    }

    /// <summary>A deadline with its due date shifted past non-working days (art. 6.1 p.7).</summary>
    public static CalcResult<Deadline> Shifted(DeadlineKind kind, string period, DateOnly statutory, string basis, ProductionCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var due = calendar.NextWorkingDayOnOrAfter(statutory);
        if (!due.IsSuccess)
        {
            return due.Error!;
        }

        return new Deadline(kind, period, statutory, due.Value, due.Value == statutory ? basis : basis + "; " + ShiftBasis);
    }

    /// <summary>The shifted deadline, or the statutory one with the calendar's error when the shift cannot be settled.</summary>
    private static Deadline OrUnsettled(DeadlineKind kind, string period, DateOnly statutory, string basis, ProductionCalendar calendar)
    {
        var shifted = Shifted(kind, period, statutory, basis, calendar);
        return shifted.IsSuccess
            ? shifted.Value
            : new Deadline(kind, period, statutory, null, basis, shifted.Error! with { Field = "due_date" });
    }
}
