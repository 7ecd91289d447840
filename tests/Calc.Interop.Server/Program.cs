using System.Globalization;
using Calc.Interop;

// dotnet run --project tests/Calc.Interop.Server -- --port PORT [--http1-port PORT] [--bench]
var port = 0;
var bench = args.Contains("--bench");
int? http1Port = null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--http1-port")
    {
        http1Port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

if (port <= 0)
{
    await Console.Error.WriteLineAsync("usage: Calc.Interop.Server --port PORT [--http1-port PORT] [--bench]");
    return 2;
}

await using var app = InteropHost.Build(port, http1Port: http1Port, bench: bench);
await app.StartAsync();
Console.WriteLine($"interop server listening on 127.0.0.1:{port} (h2c)");
await app.WaitForShutdownAsync();
return 0;
