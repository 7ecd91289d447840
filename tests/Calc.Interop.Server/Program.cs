using System.Globalization;
using Calc.Interop;

// dotnet run --project tests/Calc.Interop.Server -- --port PORT
var port = 0;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

if (port <= 0)
{
    await Console.Error.WriteLineAsync("usage: Calc.Interop.Server --port PORT");
    return 2;
}

await using var app = InteropHost.Build(port);
await app.StartAsync();
Console.WriteLine($"interop server listening on 127.0.0.1:{port} (h2c)");
await app.WaitForShutdownAsync();
return 0;
