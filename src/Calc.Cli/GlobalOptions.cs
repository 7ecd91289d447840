using System.CommandLine;
using System.Globalization;
using Calc.Cli.Hosting;
using Calc.Cli.Output;
using Grpc.Core;

namespace Calc.Cli;

/// <summary>Options every command accepts (declared recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://127.0.0.1:5000";

    public Option<string> Server { get; } = new("--server")
    {
        Description = "Calc server gRPC address (http:// h2c or https://); several h2c replicas as a comma-separated list or dns:///host:port, balanced round_robin per call; env CALC_SERVER",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CALC_SERVER") is { Length: > 0 } s ? s : DefaultServer,
        Recursive = true,
    };

    public Option<bool> Embedded { get; } = new("--embedded")
    {
        Description = "Run the Calc application in this process instead of calling a server",
        Recursive = true,
    };

    public Option<string?> Data { get; } = new("--data")
    {
        Description = "With --embedded: market data folder (closes.csv, cbr-rates.csv) imported at start; env CALC_DATA",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CALC_DATA") is { Length: > 0 } s ? s : null,
        Recursive = true,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "API key sent as x-api-key metadata; env CALC_API_KEY",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CALC_API_KEY") is { Length: > 0 } s ? s : null,
        Recursive = true,
    };

    public Option<TimeSpan?> Timeout { get; } = new("--timeout")
    {
        Description = "Deadline per call: 30s, 5m, 1h or seconds (default 30s; none for income streams)",
        CustomParser = r => ParseTimeout(r.Tokens.Count == 0 ? "" : r.Tokens[0].Value, r),
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print machine-readable JSON (proto3 JSON mapping, field names as in the .proto)",
        Recursive = true,
    };

    public Option<bool> Csv { get; } = new("--csv")
    {
        Description = "Print CSV (header row, invariant decimals)",
        Recursive = true,
    };

    public Option<bool> OneC { get; } = new("--1c")
    {
        Description = "CSV for 1C import: ';' delimiter, decimal comma, dates dd.MM.yyyy, UTF-8 with BOM for files",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Server, Embedded, Data, ApiKey, Timeout, Json, Csv, OneC];

    public static TimeSpan? ParseTimeout(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (TryParseDuration(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (e.g. 30s, 5m, 1h, 90)");
        return null;
    }

    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        char unit = char.IsAsciiLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        string number = char.IsAsciiLetter(text[^1]) ? text[..^1] : text;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            unit = 'f';
            number = text[..^2];
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) || n <= 0)
        {
            return false;
        }

        value = unit switch
        {
            'f' => TimeSpan.FromMilliseconds(n),
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => TimeSpan.Zero,
        };
        return value > TimeSpan.Zero;
    }
}

/// <summary>The parsed global options of one invocation, and the connection they describe.</summary>
internal sealed class Invocation(System.CommandLine.ParseResult parse, GlobalOptions options, CliConsole console, IEmbeddedServerFactory embedded)
{
    public CliConsole Console => console;

    public System.CommandLine.ParseResult Parse => parse;

    public OutputFormat Format
    {
        get
        {
            bool json = parse.GetValue(options.Json), csv = parse.GetValue(options.Csv) || parse.GetValue(options.OneC);
            if (json && csv)
            {
                throw new CliException("--json and --csv exclude each other");
            }

            return json ? OutputFormat.Json : csv ? OutputFormat.Csv : OutputFormat.Table;
        }
    }

    public CsvDialect CsvDialect => parse.GetValue(options.OneC) ? CsvDialect.OneC : CsvDialect.Invariant;

    public T Get<T>(Option<T> option) => parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;

    /// <summary>
    /// Options of one call made now: its deadline (<paramref name="defaultTimeout"/> from now unless --timeout; none
    /// when both are null), x-api-key and the cancellation token. Make them per call: the deadline is an instant.
    /// </summary>
    public CallOptions CallOptions(TimeSpan? defaultTimeout, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (parse.GetValue(options.ApiKey) is { Length: > 0 } key)
        {
            headers.Add("x-api-key", key);
        }

        DateTime? deadline = (parse.GetValue(options.Timeout) ?? defaultTimeout) is { } timeout ? DateTime.UtcNow + timeout : null;
        return new CallOptions(headers, deadline, cancellationToken);
    }

    /// <summary>--embedded without --data (nor CALC_DATA): the in-process Calc holds no market data.</summary>
    public bool EmbeddedWithoutData => parse.GetValue(options.Embedded) && string.IsNullOrWhiteSpace(parse.GetValue(options.Data));

    /// <summary>
    /// What to do when no price could be found for anything (every row PRICE_NOT_FOUND): where the prices come from
    /// in this mode, and what to pass. Names command-line options, not server configuration keys, for --embedded.
    /// </summary>
    public string NoPriceHint()
    {
        if (EmbeddedWithoutData)
        {
            return "--embedded was given no market data: pass --data DIR, a folder with closes.csv and cbr-rates.csv "
                + "(e.g. --data ../shared/data), or set CALC_DATA; or call a server that holds the prices with --server URL";
        }

        if (parse.GetValue(options.Embedded))
        {
            return $"the folder --data {parse.GetValue(options.Data)} holds no close for these days and pairs: see 'calc venues --embedded --data …' "
                + "for what it holds, pass another folder, or call a server that has the prices with --server URL";
        }

        return $"the server {parse.GetValue(options.Server)} holds no close for these days and pairs and fetches none: see 'calc venues', "
            + "import the prices ('calc import closes'), or run with --embedded --data DIR (a folder with closes.csv and cbr-rates.csv)";
    }

    public async Task<ICalcConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (parse.GetValue(options.Embedded))
        {
            if (parse.GetValue(options.Data) is { Length: > 0 } data)
            {
                CheckDataFolder(data);
            }

            var server = await embedded.StartAsync(new EmbeddedOptions(parse.GetValue(options.Data)), cancellationToken);
            return new EmbeddedConnection(server);
        }

        return new RemoteConnection(ServerTarget.Parse(parse.GetValue(options.Server) ?? GlobalOptions.DefaultServer));
    }

    /// <summary>--data must name a folder holding closes.csv and/or cbr-rates.csv; say so in CLI terms before starting.</summary>
    private static void CheckDataFolder(string data)
    {
        string full = Path.GetFullPath(data);
        if (!Directory.Exists(full))
        {
            throw new CliException(File.Exists(full)
                ? $"--data '{data}' is a file: pass the folder that holds closes.csv and cbr-rates.csv (e.g. --data ../shared/data)"
                : $"--data '{data}' is not a folder ({full} does not exist): pass the folder that holds closes.csv and cbr-rates.csv "
                    + "(e.g. --data ../shared/data), or leave --data out for commands that need no prices (ndfl, deadlines)");
        }

        if (!File.Exists(Path.Combine(full, "closes.csv")) && !File.Exists(Path.Combine(full, "cbr-rates.csv")))
        {
            throw new CliException($"--data '{data}' holds neither closes.csv nor cbr-rates.csv: pass the folder with the market data files "
                + "(closes.csv: venue,base,quote,date,close; cbr-rates.csv: date,char_code,nominal,value)");
        }
    }
}
