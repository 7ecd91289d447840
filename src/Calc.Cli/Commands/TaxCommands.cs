using System.CommandLine;
using Calc.Cli.Income;
using Calc.Cli.Output;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary><c>calc ndfl</c>, <c>calc profit-tax</c> and <c>calc deadlines</c>.</summary>
internal static class TaxCommands
{
    public static Command Ndfl(CommandRunner runner)
    {
        var year = new Option<int>("--year") { Description = "Tax year, e.g. 2025", Required = true };
        var income = new Option<string?>("--mining-income") { Description = "Mining income of the year, RUB (or --income-report)" };
        var report = new Option<FileInfo?>("--income-report") { Description = "Monthly report CSV written by 'calc income recognize --report': income_rub of the year is summed" };
        var expenses = new Option<string?>("--expenses") { Description = "Documented mining expenses, RUB" };
        var other = new Option<string?>("--other-income") { Description = "Other main-base income after deductions (salary, ...), RUB" };
        var withheld = new Option<string?>("--withheld") { Description = "NDFL already withheld by tax agents, RUB" };
        var investment = new Option<string?>("--investment-base") { Description = "Gains on sales of digital currency, RUB (13/15 % base)" };
        var nonResident = new Option<bool>("--non-resident") { Description = "Non-resident: 30 %, no deductions" };
        var excess = new Option<string>("--expense-excess") { Description = "Expenses above mining income: cap (default) or reduce-other", DefaultValueFactory = _ => "cap" };
        excess.AcceptOnlyFromAmong("cap", "reduce-other");
        var command = new Command("ndfl", "NDFL (personal income tax) for a year of mining income")
        {
            year, income, report, expenses, other, withheld, investment, nonResident, excess,
        };
        runner.SetUnary(command,
            (i, client, options, ct) =>
            {
                int taxYear = i.Get(year);
                string miningIncome = i.Get(report) is { } file
                    ? MonthlyReport.SumIncome(file, taxYear)
                    : Input.Decimal(i.Get(income) ?? throw new CliException("give --mining-income or --income-report"), "--mining-income");
                return client.Tax.ComputeNdflAsync(new ComputeNdflRequest
                {
                    TaxYear = taxYear,
                    Residency = i.Get(nonResident) ? Residency.NonResident : Residency.Resident,
                    MiningIncomeRub = miningIncome,
                    MiningExpensesRub = Input.OptionalDecimal(i.Get(expenses), "--expenses") ?? "",
                    OtherMainBaseRub = Input.OptionalDecimal(i.Get(other), "--other-income") ?? "",
                    WithheldRub = Input.OptionalDecimal(i.Get(withheld), "--withheld") ?? "",
                    InvestmentBaseRub = Input.OptionalDecimal(i.Get(investment), "--investment-base") ?? "",
                    ExpenseExcessPolicy = i.Get(excess) == "reduce-other"
                        ? ExpenseExcessPolicy.ReduceOtherIncome : ExpenseExcessPolicy.CapAtMiningIncome,
                }, options).ResponseAsync;
            },
            (r, _) => new CommandView(r,
                [
                    Views.KeyValues("NDFL",
                        ("main_base_rub", r.MainBaseRub), ("main_tax_rub", r.MainTaxRub), ("tax_due_rub", r.TaxDueRub),
                        ("investment_tax_rub", r.InvestmentTaxRub), ("total_due_rub", r.TotalDueRub), ("rules_version", r.RulesVersion)),
                    new ResultTable("Brackets",
                        [new("from_rub", ColumnKind.Number), new("to_rub", ColumnKind.Number), new("rate", ColumnKind.Number),
                            new("base_rub", ColumnKind.Number), new("tax_rub", ColumnKind.Number)],
                        r.Brackets.Select(b => (IReadOnlyList<string>)[b.FromRub, b.ToRub, b.Rate, b.BaseRub, b.TaxRub]).ToArray()),
                ],
                r.Explanation.ToArray()));
        return command;
    }

    public static Command ProfitTax(CommandRunner runner)
    {
        var year = new Option<int>("--year") { Description = "Tax year", Required = true };
        var period = new Option<string>("--period") { Description = "Cumulative period: q1, h1, 9m, year", DefaultValueFactory = _ => "year" };
        period.AcceptOnlyFromAmong("q1", "h1", "9m", "year");
        var income = new Option<string?>("--mining-income") { Description = "Mining income of the period, RUB (or --income-report)" };
        var report = new Option<FileInfo?>("--income-report") { Description = "Monthly report CSV from 'calc income recognize --report': income_rub of the period's months is summed" };
        var expenses = new Option<string?>("--expenses") { Description = "Indirect mining costs of the period, RUB" };
        var sales = new Option<FileInfo?>("--sales") { Description = "CSV of sales: sale_date, asset, amount, proceeds_rub, cost_rub[, quote_rub]" };
        var regionalRate = new Option<string?>("--regional-rate") { Description = "Reduced regional rate, e.g. 0.10 (needs --legal-basis)" };
        var legalBasis = new Option<string?>("--legal-basis") { Description = "Regional law and Tax Code ch. 25 case for --regional-rate" };
        var venue = QuoteCommands.Venue();
        var currency = QuoteCommands.Currency();
        var command = new Command("profit-tax", "Profit tax on the digital-currency base for a cumulative period (organisations)")
        {
            year, period, income, report, expenses, sales, regionalRate, legalBasis, venue, currency,
        };
        runner.SetUnary(command,
            (i, client, options, ct) =>
            {
                var p = i.Get(period) switch
                {
                    "q1" => ProfitTaxPeriod.Q1,
                    "h1" => ProfitTaxPeriod.H1,
                    "9m" => ProfitTaxPeriod.M9,
                    _ => ProfitTaxPeriod.Year,
                };
                int lastMonth = p switch { ProfitTaxPeriod.Q1 => 3, ProfitTaxPeriod.H1 => 6, ProfitTaxPeriod.M9 => 9, _ => 12 };
                var request = new ComputeProfitTaxRequest
                {
                    TaxYear = i.Get(year),
                    Period = p,
                    MiningIncomeRub = i.Get(report) is { } file
                        ? MonthlyReport.SumIncome(file, i.Get(year), lastMonth)
                        : Input.Decimal(i.Get(income) ?? throw new CliException("give --mining-income or --income-report"), "--mining-income"),
                    MiningExpensesRub = Input.OptionalDecimal(i.Get(expenses), "--expenses") ?? "0",
                    Policy = Views.Policy(i.Get(venue), i.Get(currency), false),
                };
                if (i.Get(regionalRate) is { } rate)
                {
                    request.RegionalRateOverride = new RegionalRateOverride
                    {
                        Rate = Input.Decimal(rate, "--regional-rate"),
                        LegalBasis = i.Get(legalBasis) ?? throw new CliException("--regional-rate needs --legal-basis"),
                    };
                }

                if (i.Get(sales) is { } salesFile)
                {
                    request.Sales.AddRange(SalesCsv.Read(salesFile));
                }

                return client.Tax.ComputeProfitTaxAsync(request, options).ResponseAsync;
            },
            (r, _) => new CommandView(r,
                [
                    Views.KeyValues("Profit tax",
                        ("income_rub", r.IncomeRub), ("expenses_rub", r.ExpensesRub), ("base_rub", r.BaseRub), ("tax_rub", r.TaxRub),
                        ("federal_rate", r.FederalRate), ("federal_tax_rub", r.FederalTaxRub), ("regional_rate", r.RegionalRate),
                        ("regional_tax_rub", r.RegionalTaxRub), ("rules_version", r.RulesVersion)),
                    new ResultTable("Sales",
                        [new("index", ColumnKind.Number), new("taxable_revenue_rub", ColumnKind.Number), new("floor_applied"),
                            new("quote_rub", ColumnKind.Number), new("result_rub", ColumnKind.Number)],
                        r.Sales.Select(s => (IReadOnlyList<string>)[Views.Int(s.Index), s.TaxableRevenueRub, s.FloorApplied ? "true" : "false",
                            s.QuoteRub, s.ResultRub]).ToArray()),
                ],
                r.Explanation.ToArray()));
        return command;
    }

    public static Command Deadlines(CommandRunner runner)
    {
        var year = new Option<int>("--year") { Description = "Tax year", Required = true };
        var taxpayer = new Option<string>("--taxpayer") { Description = "individual, entrepreneur or organization", DefaultValueFactory = _ => "individual" };
        taxpayer.AcceptOnlyFromAmong("individual", "entrepreneur", "organization");
        var command = new Command("deadlines", "Reporting and payment deadlines of a tax year, moved past non-working days") { year, taxpayer };
        runner.SetUnary(command,
            (i, client, options, ct) => client.Tax.GetDeadlinesAsync(new GetDeadlinesRequest
            {
                Year = i.Get(year),
                TaxpayerKind = i.Get(taxpayer) switch
                {
                    "entrepreneur" => TaxpayerKind.IndividualEntrepreneur,
                    "organization" => TaxpayerKind.Organization,
                    _ => TaxpayerKind.Individual,
                },
            }, options).ResponseAsync,
            (r, _) => new CommandView(r, new ResultTable("Deadlines",
                [new("kind"), new("period"), new("statutory_date", ColumnKind.Date), new("due_date", ColumnKind.Date), new("legal_basis")],
                r.Deadlines.Select(d => (IReadOnlyList<string>)[KindName(d.Kind), d.Period, d.StatutoryDate, DueDate(d), d.LegalBasis]).ToArray())));
        return command;
    }

    /// <summary>The due date, or the reason it cannot be given yet (the calendar does not cover the year).</summary>
    private static string DueDate(Deadline d) => d.DueDateError is { } e ? "unknown: " + e.Reason : d.DueDate;

    private static string KindName(DeadlineKind kind) => kind switch
    {
        DeadlineKind.MonthlyMiningReport => "MONTHLY_MINING_REPORT",
        DeadlineKind.NdflDeclaration => "NDFL_DECLARATION",
        DeadlineKind.NdflPayment => "NDFL_PAYMENT",
        DeadlineKind.ProfitTaxDeclaration => "PROFIT_TAX_DECLARATION",
        DeadlineKind.ProfitTaxPayment => "PROFIT_TAX_PAYMENT",
        _ => kind.ToString(),
    };
}
