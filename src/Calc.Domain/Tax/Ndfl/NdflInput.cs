namespace Calc.Domain.Tax.Ndfl;

public enum Residency
{
    Resident,
    NonResident,
}

/// <summary>What documented mining expenses above mining income do (tax-rules R3.4, open question Q5).</summary>
public enum ExpenseExcessPolicy
{
    /// <summary>Default: expenses reduce mining income to zero at most; other main-base income is untouched (conservative).</summary>
    CapAtMiningIncome,

    /// <summary>The excess also reduces other main-base income (not supported by any source found; opt-in).</summary>
    ReduceOtherMainBase,
}

/// <summary>
/// The NDFL choices the law leaves open (tax-rules §11), each recorded in the result's explanation.
/// Defaults: expenses capped at mining income (Q5); no revenue floor for individuals' sales (Q3: the
/// quote − 20 % floor is confirmed for organisations only).
/// </summary>
public sealed record NdflOptions(
    ExpenseExcessPolicy ExpenseExcess = ExpenseExcessPolicy.CapAtMiningIncome,
    bool SaleFloorForIndividuals = false)
{
    public static NdflOptions Default { get; } = new();
}

/// <summary>
/// One individual's year (api.md ComputeNdfl). Amounts in RUB. <see cref="OtherMainBaseRub"/> is other
/// main-base income after its own deductions (salary…), <see cref="WithheldRub"/> the NDFL tax agents withheld
/// from it, <see cref="InvestmentBaseRub"/> the 13/15 % investment-type base already known; <see cref="Sales"/>
/// adds gains on sales of (mined) coins to it (cost basis = value taxed as mining income).
/// </summary>
public sealed record NdflInput(
    int TaxYear,
    Residency Residency,
    decimal MiningIncomeRub,
    decimal MiningExpensesRub = 0m,
    decimal OtherMainBaseRub = 0m,
    decimal WithheldRub = 0m,
    decimal InvestmentBaseRub = 0m,
    IReadOnlyList<CryptoSale>? Sales = null,
    NdflOptions? Options = null);
