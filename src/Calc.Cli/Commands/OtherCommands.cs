using System.CommandLine;
using System.Diagnostics;
using Calc.Cli.Hosting;
using Calc.Cli.Output;
using Grpc.Core;
using Grpc.Health.V1;

namespace Calc.Cli.Commands;

/// <summary><c>calc health</c>.</summary>
internal static class OtherCommands
{
    private static readonly string[] HealthServices = ["", "calc.v1.QuoteService", "calc.v1.IncomeService", "calc.v1.TaxService", "calc.v1.CollateralService"];

    public static Command Health(CommandRunner runner)
    {
        var wait = new Option<TimeSpan?>("--wait")
        {
            Description = "Keep asking until the server is SERVING or this time passes, e.g. 30s (default: ask once; 10s with --embedded)",
            CustomParser = r => GlobalOptions.ParseTimeout(r.Tokens.Count == 0 ? "" : r.Tokens[0].Value, r),
        };
        var command = new Command("health", "Is the server serving? (grpc.health.v1 Check for the server and each calc.v1 service)") { wait };
        runner.SetAction(command, async (i, ct) =>
        {
            await using var connection = await i.ConnectAsync(ct);
            var patience = i.Get(wait) ?? (i.Get(runner.Options.Embedded) ? TimeSpan.FromSeconds(10) : TimeSpan.Zero);
            var started = Stopwatch.StartNew();
            var view = await CheckAll(connection.Client.Health, () => i.CallOptions(TimeSpan.FromSeconds(5), ct));
            while (!view.ServerServing && started.Elapsed < patience)
            {
                await Task.Delay(250, ct);
                view = await CheckAll(connection.Client.Health, () => i.CallOptions(TimeSpan.FromSeconds(5), ct));
            }

            var table = new ResultTable($"Calc at {connection.Description}", [new("service"), new("status"), new("latency_ms", ColumnKind.Number)], view.Rows);
            ViewRenderer.Render(new CommandView(view.ToStruct(), table), i.Format, i.CsvDialect, i.Console);
            return view.ServerServing ? ExitCodes.Ok : ExitCodes.CallFailed;
        });
        return command;
    }

    private static async Task<HealthView> CheckAll(Health.HealthClient client, Func<CallOptions> options)
    {
        var view = new HealthView();
        foreach (var service in HealthServices)
        {
            var clock = Stopwatch.StartNew();
            string status;
            try
            {
                var answer = await client.CheckAsync(new HealthCheckRequest { Service = service }, options());
                status = answer.Status switch
                {
                    HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
                    HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
                    HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
                    _ => "UNKNOWN",
                };
            }
            catch (RpcException e) when (!CallErrors.IsUnreachable(e) && !CallErrors.IsNotGrpc(e))
            {
                // a row per service whatever the answer: NOT_FOUND is the health protocol's "unknown service";
                // any other status (a deadline on a busy server, UNAVAILABLE while starting) is shown as it is
                status = e.StatusCode == StatusCode.NotFound ? "SERVICE_UNKNOWN" : CallErrors.StatusName(e.StatusCode);
            }

            view.Add(service.Length == 0 ? "(server)" : service, status, clock.Elapsed.TotalMilliseconds);
        }

        return view;
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
