using Calc.Server.Hosting;

// The service. The composition (which project adds and maps what) reads in Hosting/CalcHost.cs.
var app = CalcHost.Build(ServerLaunch.WithContentRoot(args));
await app.StartAsync();
Console.Error.WriteLine(ServerLaunch.Banner(app)); // one human line; the JSON logs stay on stdout
await app.WaitForShutdownAsync();

/// <summary>Entry point type, visible to the end-to-end tests.</summary>
public partial class Program;
