using System.Runtime.CompilerServices;
using Calc.Adapters.Exchanges.Common;
using Calc.Application.Valuation;

namespace Calc.Adapters.Exchanges.Tests;

/// <summary>A venue with a client is a venue Calc knows: KnownVenues.Supported lists every exchange client.</summary>
public class KnownVenuesTests
{
    [Fact]
    public void Supported_ListsTheVenueOfEveryExchangeClient()
    {
        var clients = typeof(ExchangeClient).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ExchangeClient)) && !t.IsAbstract)
            .Select(t => ((ExchangeClient)RuntimeHelpers.GetUninitializedObject(t)).Venue)
            .ToList();

        Assert.NotEmpty(clients);
        Assert.All(clients, venue => Assert.True(KnownVenues.Supported.Contains(venue), $"exchange client venue {venue} is missing from KnownVenues.Supported"));
    }
}
