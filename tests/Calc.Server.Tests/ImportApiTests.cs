using Calc.Server.Tests.Infrastructure;
using Calc.V1;

namespace Calc.Server.Tests;

/// <summary>Import RPCs: idempotency, conflicts, per-row rejections, and the API-key guard.</summary>
public sealed class ImportApiTests : IAsyncLifetime
{
    private const string WriterKey = "calc-test-writer-7f3a";
    private const string ReaderKey = "calc-test-reader-91bc";
    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["MarketData__ImportPath"] = Fixtures.SmallImport,
        ["Auth__ApiKeys"] = $"erp={WriterKey};bank={ReaderKey}=read",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private CalcClient Client() => new(_server.GrpcAddress);

    private static CallOptions Key(string key) => CalcClient.WithKey(key);

    private static ImportCbrRatesRequest Rates(params CbrRateRow[] rows)
    {
        var request = new ImportCbrRatesRequest();
        request.Rates.AddRange(rows);
        return request;
    }

    [Fact]
    public async Task ImportCbrRates_WithWriterKey_AddsThenIsIdempotentThenRejectsConflicts()
    {
        // real CBR USD rates of February 2025 (a hole in the fixture)
        var february = Rates(new CbrRateRow { Currency = "USD", EffectiveDate = "2025-02-11", Nominal = 1, Value = "96.7821" },
            new CbrRateRow { Currency = "USD", EffectiveDate = "2025-02-12", Nominal = 1, Value = "95.8024" });

        var first = await Client().ImportCbrRatesAsync(february, Key(WriterKey));
        var again = await Client().ImportCbrRatesAsync(february, Key(WriterKey));
        // the next day's rate sent for the 11th: a conflicting value for a final key
        var conflict = await Client().ImportCbrRatesAsync(Rates(
            new CbrRateRow { Currency = "USD", EffectiveDate = "2025-02-11", Nominal = 1, Value = "95.8024" },
            new CbrRateRow { Currency = "usd", EffectiveDate = "2025-02-13", Nominal = 1, Value = "94.0485" }), Key(WriterKey));
        var rate = await Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-02-11" });

        Assert.Equal((2, 0), (first.Added, first.Unchanged));
        Assert.Equal((0, 2), (again.Added, again.Unchanged));
        Assert.Equal([(0, "CONFLICTING_VALUE"), (1, "INVALID_CURRENCY")], conflict.Rejected.Select(r => (r.Index, r.Error.Reason)));
        Assert.Equal("96.7821", rate.Value);
    }

    [Fact]
    public async Task ImportClosingPrices_Overwrite_ReplacesAFinalValue()
    {
        // Coinbase BTC-USD close of 2025-03-19; then the Yahoo aggregate for the same day as a conflicting source
        var row = new ClosingPrice { Venue = "coinbase", Base = "BTC", Quote = "USD", Date = "2025-03-19", Close = "86877.96" };
        var request = new ImportClosingPricesRequest { Prices = { row } };

        await Client().ImportClosingPricesAsync(request, Key(WriterKey));
        request.Prices[0] = row.Clone();
        request.Prices[0].Close = "86854.2265625";
        var rejected = await Client().ImportClosingPricesAsync(request, Key(WriterKey));
        request.Overwrite = true;
        var replaced = await Client().ImportClosingPricesAsync(request, Key(WriterKey));

        Assert.Equal("CONFLICTING_VALUE", Assert.Single(rejected.Rejected).Error.Reason);
        Assert.Equal(1, replaced.Replaced);
    }

    [Fact]
    public Task ImportCbrRates_WithoutKey_IsUnauthenticated() =>
        AssertStatus(() => Client().ImportCbrRatesAsync(Rates(new CbrRateRow { Currency = "USD", EffectiveDate = "2025-02-14", Nominal = 1, Value = "91.0313" })), "UNAUTHENTICATED");

    [Fact]
    public Task ImportCbrRates_WrongKey_IsUnauthenticated() =>
        AssertStatus(() => Client().ImportCbrRatesAsync(Rates(new CbrRateRow { Currency = "USD", EffectiveDate = "2025-02-14", Nominal = 1, Value = "91.0313" }), Key("guess")), "UNAUTHENTICATED");

    [Fact]
    public Task ImportCbrRates_ReadOnlyKey_IsPermissionDenied() =>
        AssertStatus(() => Client().ImportCbrRatesAsync(Rates(new CbrRateRow { Currency = "USD", EffectiveDate = "2025-02-14", Nominal = 1, Value = "91.0313" }), Key(ReaderKey)), "PERMISSION_DENIED");

    [Fact]
    public async Task Reads_StayOpenWithoutKey()
    {
        var rate = await Client().GetCbrRateAsync(new GetCbrRateRequest { Currency = "USD", Date = "2025-01-05" });

        Assert.Equal("101.6797", rate.Value);
        Assert.DoesNotContain(WriterKey, _server.Output, StringComparison.Ordinal);
    }

    private static async Task AssertStatus(Func<Task> call, string status)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(status, Calc.Transport.Grpc.GrpcErrors.CodeName(e.StatusCode));
    }
}
