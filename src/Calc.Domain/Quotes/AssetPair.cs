namespace Calc.Domain.Quotes;

/// <summary>A traded pair on a venue, e.g. BTC/USDT. Codes are upper-case ASCII.</summary>
public readonly record struct AssetPair(string Base, string Quote)
{
    public override string ToString() => Base + "/" + Quote;
}
