using System.CommandLine;
using System.Diagnostics;
using Calc.Cli.Health;
using Calc.Cli.Output;
using Calc.Client;

namespace Calc.Cli.Commands;

/// <summary><c>calc health</c>.</summary>
internal static class OtherCommands
{
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
