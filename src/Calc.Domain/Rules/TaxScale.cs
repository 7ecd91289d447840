namespace Calc.Domain.Rules;

/// <summary>
/// One bracket of a marginal scale: the part of the base above <see cref="From"/> and up to
/// <see cref="To"/> (inclusive; null = no upper bound) is taxed at <see cref="Rate"/>.
/// <see cref="FixedSum"/> is the tax on the whole base up to <see cref="From"/> (derived, never typed in).
/// </summary>
public sealed record TaxBracket(decimal From, decimal? To, decimal Rate, decimal FixedSum);

/// <summary>The share of a base that falls into one bracket and its unrounded tax.</summary>
public readonly record struct BracketTax(decimal From, decimal? To, decimal Rate, decimal Base, decimal Tax);

/// <summary>
/// A marginal (progressive) scale in force on some date, e.g. NDFL art. 224 p.1. Immutable. The fixed sums
/// (312 000, 702 000, 3 402 000, 9 402 000 for the 2025 NDFL scale) follow from thresholds and rates.
/// </summary>
public sealed class TaxScale
{
    private readonly TaxBracket[] _brackets;

    public TaxScale(IReadOnlyList<(decimal Threshold, decimal Rate)> brackets)
    {
        ArgumentNullException.ThrowIfNull(brackets);
        if (brackets.Count == 0 || brackets[0].Threshold != 0m)
        {
            throw new ArgumentException("a scale starts with a bracket at threshold 0", nameof(brackets));
        }

        _brackets = new TaxBracket[brackets.Count];
        decimal fixedSum = 0m;
        for (int i = 0; i < brackets.Count; i++)
        {
            var (from, rate) = brackets[i];
            decimal? to = i + 1 < brackets.Count ? brackets[i + 1].Threshold : null;
            if (to is { } upper && upper <= from)
            {
                throw new ArgumentException("scale thresholds must ascend strictly", nameof(brackets));
            }

            _brackets[i] = new TaxBracket(from, to, rate, fixedSum);
            if (to is { } end)
            {
                fixedSum += (end - from) * rate;
            }
        }
    }

    public IReadOnlyList<TaxBracket> Brackets => _brackets;

    /// <summary>Exact (unrounded) tax on <paramref name="taxBase"/>; zero for a base of zero or below.</summary>
    public decimal TaxOn(decimal taxBase)
    {
        if (taxBase <= 0m)
        {
            return 0m;
        }

        for (int i = _brackets.Length - 1; i >= 0; i--)
        {
            var b = _brackets[i];
            if (taxBase > b.From || i == 0)
            {
                return b.FixedSum + ((taxBase - b.From) * b.Rate);
            }
        }

        return 0m;
    }

    /// <summary>The brackets the base reaches, each with its share of the base and unrounded tax.</summary>
    public IReadOnlyList<BracketTax> Breakdown(decimal taxBase)
    {
        var parts = new List<BracketTax>(_brackets.Length);
        foreach (var b in _brackets)
        {
            if (taxBase <= b.From && parts.Count > 0)
            {
                break;
            }

            decimal top = b.To is { } to && taxBase > to ? to : taxBase;
            decimal share = Math.Max(0m, top - b.From);
            parts.Add(new BracketTax(b.From, b.To, b.Rate, share, share * b.Rate));
        }

        return parts;
    }
}
