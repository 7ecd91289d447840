using System.CommandLine;
using System.Diagnostics;
using Calc.Cli.Health;
using Calc.Cli.Output;
using Calc.Client;
using Calc.V1;

namespace Calc.Cli.Commands;

/// <summary><c>calc collateral</c> and <c>calc health</c>.</summary>
internal static class OtherCommands
{
    public static Command Collateral(CommandRunner runner)
    {
        var asset = new Argument<string>("asset") { Description = "Asset code, e.g. BTC" };
        var amount = new Argument<string>("amount") { Description = "Coins pledged, e.g. 2.5" };
        var asOf = new Option<string>("--as-of") { Description = "Valuation day (that day's close), YYYY-MM-DD", Required = true };
        var loan = new Option<string?>("--loan") { Description = "Outstanding loan, RUB" };
        var haircut = new Option<string?>("--haircut") { Description = "Discount to market value, e.g. 0.5 (default: the server's)" };
        var marginCall = new Option<string?>("--margin-call-ltv") { Description = "LTV of the margin call, e.g. 0.8" };
        var liquidation = new Option<string?>("--liquidation-ltv") { Description = "LTV of liquidation, e.g. 0.9" };
        var venue = QuoteCommands.Venue();
        var currency = QuoteCommands.Currency();
        var command = new Command("collateral", "Value mined coins pledged as loan collateral: market value, haircut, LTV, margin-call and liquidation prices")
        {
            asset, amount, asOf, loan, haircut, marginCall, liquidation, venue, currency,
        };
        runner.SetUnary(command,
            (i, client, options, ct) => client.ValueCollateralAsync(new ValueCollateralRequest
            {
                Asset = i.Get(asset).ToUpperInvariant(),
                Amount = Input.Decimal(i.Get(amount), "amount"),
                AsOf = Input.Date(i.Get(asOf), "--as-of"),
                LoanRub = Input.OptionalDecimal(i.Get(loan), "--loan") ?? "0",
                Haircut = Input.OptionalDecimal(i.Get(haircut), "--haircut") ?? "",
                MarginCallLtv = Input.OptionalDecimal(i.Get(marginCall), "--margin-call-ltv") ?? "",
                LiquidationLtv = Input.OptionalDecimal(i.Get(liquidation), "--liquidation-ltv") ?? "",
                Policy = Views.Policy(i.Get(venue), i.Get(currency), false),
            }, options, ct),
            (r, _) => new CommandView(r,
                Views.KeyValues("Collateral",
                    ("status", StatusName(r.Status)), ("market_value_rub", r.MarketValueRub), ("haircut", r.Haircut),
                    ("collateral_value_rub", r.CollateralValueRub), ("max_loan_rub", r.MaxLoanRub), ("ltv", r.Ltv),
                    ("margin_call_ltv", r.MarginCallLtv), ("margin_call_price_rub", r.MarginCallPriceRub),
                    ("liquidation_ltv", r.LiquidationLtv), ("liquidation_price_rub", r.LiquidationPriceRub), ("price_rub", r.PriceRub)),
                new ResultTable("Provenance", Views.ProvenanceColumns, [Views.ProvenanceCells(r.Provenance)])));
        return command;
    }

    public static Command Health(CommandRunner runner)
    {
        var command = new Command("health", "Is the server serving? (grpc.health.v1 Check for the server and each calc.v1 service)");
        runner.SetAction(command, async (i, ct) =>
        {
            await using var connection = await i.ConnectAsync(ct);
            var options = i.CallOptions(TimeSpan.FromSeconds(5));
            var response = new HealthView();
            foreach (var service in new[] { "", "calc.v1.QuoteService", "calc.v1.IncomeService", "calc.v1.TaxService", "calc.v1.CollateralService" })
            {
                var clock = Stopwatch.StartNew();
                string status;
                try
                {
                    var answer = await connection.Client.Channel.UnaryAsync("/grpc.health.v1.Health/Check", new HealthCheckRequest { Service = service },
                        HealthCheckResponse.Parser, options, ct);
                    status = answer.Status.ToString().ToUpperInvariant() switch { "NOTSERVING" => "NOT_SERVING", "SERVICEUNKNOWN" => "SERVICE_UNKNOWN", var s => s };
                }
                catch (CalcRpcException e) when (e.StatusCode == 5)
                {
                    status = "SERVICE_UNKNOWN";
                }

                response.Add(service.Length == 0 ? "(server)" : service, status, clock.Elapsed.TotalMilliseconds);
            }

            var table = new ResultTable($"Calc at {connection.Description}", [new("service"), new("status"), new("latency_ms", ColumnKind.Number)], response.Rows);
            ViewRenderer.Render(new CommandView(response.ToStruct(), table), i.Format, i.CsvDialect, i.Console);
            return response.ServerServing ? ExitCodes.Ok : ExitCodes.CallFailed;
        });
        return command;
    }

    private static string StatusName(CollateralStatus status) => status switch
    {
        CollateralStatus.Ok => "OK",
        CollateralStatus.MarginCall => "MARGIN_CALL",
        CollateralStatus.Liquidation => "LIQUIDATION",
        _ => "UNSPECIFIED",
    };

    /// <summary>Health answers, as table rows and as a JSON object (google.protobuf.Struct).</summary>
    private sealed class HealthView
    {
        private readonly List<IReadOnlyList<string>> _rows = [];
        private readonly Google.Protobuf.WellKnownTypes.Struct _json = new();

        public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

        public bool ServerServing { get; private set; }

        public void Add(string service, string status, double milliseconds)
        {
            ServerServing |= service == "(server)" && status == "SERVING";
            _rows.Add([service, status, milliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)]);
            _json.Fields[service] = Google.Protobuf.WellKnownTypes.Value.ForString(status);
        }

        public Google.Protobuf.WellKnownTypes.Struct ToStruct() => _json;
    }
}
